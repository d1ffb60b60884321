/**
 * jupyter-wellml: the Well-Architected ML sidebar for JupyterLab 4 and Notebook 7.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { SIDEBAR_ID, WellMLSidebar } from './sidebar';

// the version this frontend was built as, for the handshake with the server extension
declare const require: (path: string) => unknown;
const { version: VERSION } = require('../package.json') as { version: string };

const PLUGIN_ID = 'jupyter-wellml:plugin';

export namespace CommandIDs {
  export const open = 'wellml:open';
  export const refresh = 'wellml:refresh';
  export const toggleAllPhases = 'wellml:toggle-all-phases';
  export const insertKpi = 'wellml:insert-kpi';
}

const KPI_TEMPLATE =
  '%wellml kpi accuracy >= 0.9 --acceptable-error 0.02 --business "what the KPI protects"';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The Well-Architected Machine Learning Lens for the current notebook',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [ISettingRegistry, ITranslator, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyter_wellml');
    const sidebar = new WellMLSidebar({
      rendermime,
      serverSettings: app.serviceManager.serverSettings,
      trans,
      version: VERSION,
      openDocument: path => app.commands.execute('docmanager:open', { path })
    });
    app.shell.add(sidebar, 'left', { rank: 650, type: 'Well-Architected ML' });
    restorer?.add(sidebar, SIDEBAR_ID);

    let openOnNotebookOpen = false;
    const follow = () => sidebar.setNotebook(tracker.currentWidget);
    tracker.currentChanged.connect(follow);
    // the saved file's review, asked as soon as a notebook is being opened: from the page's URL
    // (/lab/tree/<path>) at start, from the file browser and commands later
    const prefetch = (path: unknown) => {
      if (typeof path === 'string' && path.endsWith('.ipynb')) {
        void sidebar.model.prefetch(path.replace(/^\/+/, ''));
      }
    };
    prefetch(decodeURIComponent(PageConfig.getOption('treePath') || ''));
    app.commands.commandExecuted.connect((_, args) => {
      if (args.id === 'docmanager:open' || args.id === 'filebrowser:open-path') {
        prefetch((args.args as { path?: unknown }).path);
      }
    });
    tracker.widgetAdded.connect((_, panel) => {
      // the saved file's review, asked while the notebook loads
      void sidebar.model.prefetch(panel.context.path);
      if (openOnNotebookOpen) {
        app.shell.activateById(SIDEBAR_ID);
      }
    });
    follow();
    void sidebar.start();

    if (settingRegistry) {
      void settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            openOnNotebookOpen = settings.get('openOnNotebookOpen').composite as boolean;
            sidebar.configure({
              debounce: settings.get('debounce').composite as number,
              showAllPhases: settings.get('showAllPhases').composite as boolean,
              author: ((settings.get('author').composite as string) ?? '').trim()
            });
          };
          apply();
          // a notebook opened with the page (from the URL or the workspace) was added before
          // the settings arrived: bring the panel forward for it too
          if (openOnNotebookOpen && tracker.currentWidget) {
            app.shell.activateById(SIDEBAR_ID);
          }
          settings.changed.connect(apply);
        })
        .catch(reason => console.warn('jupyter-wellml: settings not loaded', reason));
    }

    const hasNotebook = () => sidebar.notebook !== null;
    app.commands.addCommand(CommandIDs.open, {
      label: trans.__('Open the Well-Architected ML Panel'),
      execute: () => app.shell.activateById(SIDEBAR_ID)
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Review the Notebook Against the ML Lens'),
      isEnabled: hasNotebook,
      execute: () => sidebar.refresh()
    });
    app.commands.addCommand(CommandIDs.toggleAllPhases, {
      label: trans.__('Show Practices of All Phases'),
      isToggled: () => sidebar.showAllPhases,
      execute: () => {
        sidebar.showAllPhases = !sidebar.showAllPhases;
      }
    });
    app.commands.addCommand(CommandIDs.insertKpi, {
      label: trans.__('Insert a KPI Record Cell'),
      isEnabled: hasNotebook,
      execute: () => sidebar.insertMagic(KPI_TEMPLATE)
    });
    if (palette) {
      const category = trans.__('Well-Architected ML');
      for (const command of Object.values(CommandIDs)) {
        palette.addItem({ command, category });
      }
    }
  }
};

export default plugin;
