/**
 * The Well-Architected ML side panel: a JupyterLab widget that follows the current notebook,
 * feeds its changes to the model (model.ts) and draws the model with the views (views/*.ts).
 * It keeps keyboard focus where it was across redraws, moves between rows with the arrow keys
 * and announces each new review in a polite live region.
 */
import { Notification, showErrorMessage } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { SidePanel } from '@jupyterlab/ui-components';
import { Panel, Widget } from '@lumino/widgets';

import { ITransport } from './api';
import { askAttestation, askWaiver } from './dialogs';
import { h } from './dom';
import { wellmlIcon } from './icons';
import { SidebarModel } from './model';
import {
  NotebookDocument,
  captureRecords,
  followChanges,
  insertCellBelow,
  revealCell
} from './notebook';
import type { ILensPractice, IReviewPractice } from './types';
import { IActions, IViewContext } from './views/context';
import { renderHeader } from './views/header';
import { renderPractices } from './views/practices';
import { renderRecords } from './views/records';
import { renderSummary } from './views/summary';

export const SIDEBAR_ID = 'jupyter-wellml-sidebar';

export interface ISidebarConfig {
  debounce: number;
  showAllPhases: boolean;
  author: string;
}

export interface ISidebarOptions {
  rendermime: IRenderMimeRegistry;
  serverSettings: ServerConnection.ISettings;
  trans: TranslationBundle;
  version: string;
  /** Open a document by its server path (JupyterLab's docmanager:open); its widget, if any. */
  openDocument?: (path: string) => Promise<unknown>;
}

/** The transport of the model: JupyterLab's authenticated requests to this server. */
export function serverTransport(settings: ServerConnection.ISettings): ITransport {
  return {
    baseUrl: settings.baseUrl,
    fetch: (url, init) => ServerConnection.makeRequest(url, init, settings)
  };
}

export class WellMLSidebar extends SidePanel {
  constructor(private _opts: ISidebarOptions) {
    // a plain panel as content: the default accordion would add a title bar above the body
    super({ content: new Panel() });
    const trans = _opts.trans;
    this.id = SIDEBAR_ID;
    this.addClass('jp-wellml-Sidebar');
    this.title.icon = wellmlIcon;
    this.title.caption = trans.__('Well-Architected ML');
    const heading = new Widget({ node: h('h2', { className: 'jp-wellml-heading' }) });
    heading.node.textContent = trans.__('Well-Architected ML');
    this.header.addWidget(heading);
    this._live = h('div', {
      className: 'jp-wellml-live',
      role: 'status',
      'aria-live': 'polite',
      'aria-atomic': 'true'
    });
    this._body = new Widget({ node: h('div', { className: 'jp-wellml-body' }) });
    this._body.node.addEventListener('keydown', event => this._onKey(event));
    this.addWidget(new Widget({ node: this._live }));
    this.addWidget(this._body);
    this.toolbar.hide();
    this.model = new SidebarModel({
      transport: serverTransport(_opts.serverSettings),
      author: () => this._config.author || null
    });
    this.model.onChange(what => {
      if (what === 'asked') {
        this.node.dataset.reviewSeq = String(this.model.seq);
      } else {
        this._scheduleRender();
      }
    });
    this.model.onFailure((message, error) => this._notify(message, error));
    this.node.dataset.reviewSeq = '0';
    this.node.dataset.renderedSeq = '0';
    this.node.dataset.state = 'starting';
    this._render();
  }

  readonly model: SidebarModel;

  /** Settings changed. */
  configure(config: Partial<ISidebarConfig>): void {
    this._config = { ...this._config, ...config };
    if (config.debounce !== undefined) {
      this.model.debounce = config.debounce;
    }
    if (config.showAllPhases !== undefined) {
      this.showAllPhases = config.showAllPhases;
    }
    this._scheduleRender();
  }

  /** Practices of other phases are listed unfolded. */
  get showAllPhases(): boolean {
    return this.model.open.has('out_of_phase');
  }

  set showAllPhases(value: boolean) {
    if (value !== this.showAllPhases) {
      this.model.toggleOpen('out_of_phase');
    }
  }

  /** Handshake with the server extension and load the lens; errors are shown in the panel. */
  async start(): Promise<void> {
    try {
      await this.model.start(this._opts.version);
    } catch (error) {
      this._notify(this.model.fatal ?? String(error), error);
    }
    this.node.dataset.state = this.model.fatal ? 'error' : 'ready';
    this._scheduleRender();
  }

  /** Follow another notebook (or none). */
  setNotebook(panel: NotebookPanel | null): void {
    if (panel === this._panel) {
      return;
    }
    this._disconnect();
    this._panel = panel;
    this.model.setDocument(null);
    if (!panel) {
      this._disconnect = () => undefined;
      return;
    }
    // the saved file's review first, while the notebook loads
    void this.model.preview(panel.context.path);
    let stopFollow = () => undefined as void;
    const onKernel = () => this.model.schedule(0);
    // the workload is made of saved notebooks: asked again after each save, not on each edit
    const onSave = (_: unknown, state: string) => {
      if (state === 'completed' && this._panel === panel) {
        this.model.saved();
      }
    };
    const onPath = () => this._panel === panel && this.model.saved();
    panel.context.saveState.connect(onSave);
    panel.context.pathChanged.connect(onPath);
    const stopCapture = captureRecords(panel, error => this._notify(String(error), error));
    void panel.context.ready.then(() => {
      if (this._panel === panel) {
        stopFollow = followChanges(panel, this.model);
        this.model.setDocument(new NotebookDocument(panel));
      }
    });
    panel.sessionContext.kernelChanged.connect(onKernel);
    this._disconnect = () => {
      stopCapture();
      stopFollow();
      panel.sessionContext.kernelChanged.disconnect(onKernel);
      panel.context.saveState.disconnect(onSave);
      panel.context.pathChanged.disconnect(onPath);
    };
  }

  get notebook(): NotebookPanel | null {
    return this._panel;
  }

  /** Review the notebook after `delay` ms (at once by default). */
  refresh(delay = 0): void {
    this.model.schedule(delay);
  }

  /** Insert a magic below the active cell (first `%load_ext jupyter_wellml` when missing). */
  insertMagic(source: string): void {
    const panel = this._panel;
    if (!panel) {
      return;
    }
    const loaded = panel.content.widgets.some(c =>
      c.model.sharedModel.getSource().includes('load_ext jupyter_wellml')
    );
    insertCellBelow(panel, loaded ? source : `%load_ext jupyter_wellml\n${source}`);
  }

  dispose(): void {
    this._disconnect();
    this.model.dispose();
    super.dispose();
  }

  // ------------------------------------------------------------------ drawing
  private _scheduleRender(): void {
    if (this._renderQueued) {
      return;
    }
    this._renderQueued = true;
    queueMicrotask(() => {
      this._renderQueued = false;
      if (!this.isDisposed) {
        this._render();
      }
    });
  }

  private _render(): void {
    const model = this.model;
    const root = this._body.node;
    if (model.announcement && model.announcement !== this._announced) {
      this._announced = model.announcement;
      this._live.textContent = model.announcement;
    }
    // a new review that shows the same as the last one (an edit in a comment): no redraw
    const signature = this._signature();
    if (signature !== null && signature === this._drawn) {
      this.node.dataset.reviewSeq = String(model.seq);
      this.node.dataset.renderedSeq = String(model.renderedSeq);
      return;
    }
    this._drawn = signature;
    const focused = document.activeElement as HTMLElement | null;
    const focusKey = root.contains(focused) ? focused?.dataset.focusKey : undefined;
    root.replaceChildren(this._draw());
    if (focusKey) {
      const again = root.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`);
      again?.focus({ preventScroll: true });
    }
    this.node.dataset.reviewSeq = String(model.seq);
    this.node.dataset.renderedSeq = String(model.renderedSeq);
  }

  /** What the panel would draw, in a few words; null when it cannot tell (draw anyway). */
  private _signature(): string | null {
    const m = this.model;
    const review = m.review;
    if (!review || !m.lens || m.error || m.fatal || !this._panel) {
      return null;
    }
    const expanded = review.practices.filter(p => m.expanded.has(p.id)).map(p => p.evidence);
    return JSON.stringify([
      this._panel.context.path,
      m.lens.fingerprint,
      review.verdict,
      review.records,
      review.phase,
      m.ownPhase,
      m.viewPhase,
      m.filter,
      [...m.expanded],
      [...m.open],
      m.undoable,
      m.warning,
      m.workload,
      m.workloadError,
      expanded
    ]);
  }

  private _draw(): DocumentFragment {
    const trans = this._opts.trans;
    const model = this.model;
    const out = document.createDocumentFragment();
    if (model.fatal) {
      out.append(
        h('div', { className: 'jp-wellml-banner jp-wellml-mod-error', role: 'alert' }, model.fatal)
      );
      return out;
    }
    if (model.warning) {
      out.append(
        h(
          'div',
          { className: 'jp-wellml-banner jp-wellml-mod-warn', role: 'status' },
          model.warning
        )
      );
    }
    const panel = this._panel;
    if (!panel) {
      out.append(
        h(
          'p',
          { className: 'jp-wellml-empty' },
          trans.__('Open a notebook to review it against the Machine Learning Lens.')
        )
      );
      return out;
    }
    const name = panel.context.localPath.split('/').pop() ?? '';
    const ctx = this._context();
    out.append(renderHeader(ctx, name, panel.context.path));
    if (model.error) {
      out.append(
        h('div', { className: 'jp-wellml-banner jp-wellml-mod-error', role: 'alert' }, model.error)
      );
    }
    if (!model.lens || !model.review) {
      if (!model.error) {
        out.append(h('p', { className: 'jp-wellml-empty' }, trans.__('Reviewing…')));
      }
      return out;
    }
    const note = model.review.verdict.note;
    if (note) {
      out.append(
        h(
          'div',
          { className: 'jp-wellml-banner jp-wellml-mod-info jp-wellml-not-read', role: 'note' },
          trans.__("This kernel's code cannot be read by the review: %1.", note)
        )
      );
    }
    out.append(renderSummary(ctx), renderPractices(ctx), renderRecords(ctx));
    return out;
  }

  private _context(): IViewContext {
    const lens = this.model.lens;
    if (lens !== this._lensFor) {
      this._lensFor = lens;
      this._lensById = new Map((lens?.practices ?? []).map(p => [p.id, p]));
    }
    return {
      model: this.model,
      trans: this._opts.trans,
      lensById: this._lensById,
      actions: this._actions
    };
  }

  // ------------------------------------------------------------------ keyboard
  /** Up and down arrows (and Home, End) move between rows and folded groups. */
  private _onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (!target.classList.contains('jp-wellml-nav')) {
      return;
    }
    const all = Array.from(this._body.node.querySelectorAll<HTMLElement>('.jp-wellml-nav'));
    const i = all.indexOf(target);
    let next = -1;
    if (event.key === 'ArrowDown') {
      next = Math.min(all.length - 1, i + 1);
    } else if (event.key === 'ArrowUp') {
      next = Math.max(0, i - 1);
    } else if (event.key === 'Home') {
      next = 0;
    } else if (event.key === 'End') {
      next = all.length - 1;
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    all[next]?.focus();
  }

  // ------------------------------------------------------------------ actions
  private _actions: IActions = {
    reveal: (cellId, cell, line) => void this._reveal(cellId, cell, line),
    openAt: (path, cellId, cell, line) => void this._openAt(path, cellId, cell, line),
    insertMagic: source => this.insertMagic(source),
    waive: p => void this._waive(p),
    attest: p => void this._attest(p),
    remove: (kind, id) => this._try(() => this.model.remove(kind, id)),
    recordPhase: () => this._try(() => this.model.recordPhase()),
    undo: () => this._try(() => this.model.undo()),
    guidance: lens => this._guidance(lens)
  };

  private _try(action: () => unknown): void {
    try {
      action();
    } catch (error) {
      this._notify(String((error as Error).message ?? error), error);
    }
  }

  private async _waive(p: IReviewPractice): Promise<void> {
    const value = await askWaiver(this._opts.trans, p.id, p.title);
    if (value) {
      this._try(() => this.model.waive(p.id, value.reason, value.note));
    }
  }

  private async _attest(p: IReviewPractice): Promise<void> {
    const note = await askAttestation(this._opts.trans, p.id, p.title);
    if (note) {
      this._try(() => this.model.attest(p.id, note));
    }
  }

  private async _reveal(
    cellId: string | null | undefined,
    cell: number | null,
    line?: number | null
  ): Promise<void> {
    const panel = this._panel;
    if (!panel) {
      return;
    }
    const ok = await revealCell(panel, cellId, cell, line);
    if (!ok) {
      Notification.warning(this._opts.trans.__('That cell is no longer in the notebook.'), {
        autoClose: 4000
      });
    }
  }

  /**
   * Open the notebook at `path` (another notebook of the workload) and show the cell; where the
   * notebook cannot be opened here (Notebook 7 opens it in a new tab), it is at least named.
   */
  private async _openAt(
    path: string,
    cellId: string | null,
    cell: number | null,
    line: number | null
  ): Promise<void> {
    const trans = this._opts.trans;
    let widget: unknown = null;
    try {
      widget = await this._opts.openDocument?.(path);
    } catch (error) {
      this._notify(trans.__('Cannot open %1: %2', path, String(error)), error);
      return;
    }
    if (!(widget instanceof NotebookPanel)) {
      return; // opened elsewhere, or not at all: the panel names it
    }
    await widget.context.ready;
    await widget.revealed;
    if (cell !== null || cellId) {
      const ok = await revealCell(widget, cellId, cell, line);
      if (!ok) {
        Notification.warning(trans.__('That cell is no longer in %1.', path), {
          autoClose: 4000
        });
      }
    }
  }

  /** Guidance Markdown, rendered untrusted: JupyterLab's sanitizer removes scripts and handlers. */
  private _guidance(lens: ILensPractice): HTMLElement {
    const key = `${this.model.lens?.fingerprint}:${lens.id}`;
    let host = this._guidanceCache.get(key);
    if (!host) {
      host = h('div', { className: 'jp-wellml-guidance' });
      const renderer = this._opts.rendermime.createRenderer('text/markdown');
      const model = new MimeModel({ data: { 'text/markdown': lens.guidance }, trusted: false });
      host.append(renderer.node);
      void renderer.renderModel(model).catch(error => {
        renderer.node.textContent = lens.guidance;
        console.warn('jupyter-wellml: guidance rendering failed', error);
      });
      this._guidanceCache.set(key, host);
    }
    return host;
  }

  private _notify(message: string, error: unknown): void {
    if (message === this._lastNotified) {
      return;
    }
    this._lastNotified = message;
    const trans = this._opts.trans;
    Notification.error(message, {
      autoClose: 8000,
      actions: [
        {
          label: trans.__('Details'),
          callback: () =>
            void showErrorMessage(trans.__('Well-Architected ML'), {
              message: `${message}\n\n${(error as Error)?.stack ?? String(error)}`
            })
        }
      ]
    });
  }

  private _body: Widget;
  private _live: HTMLElement;
  private _config: ISidebarConfig = { debounce: 150, showAllPhases: false, author: '' };
  private _panel: NotebookPanel | null = null;
  private _renderQueued = false;
  private _drawn: string | null = null;
  private _announced = '';
  private _lastNotified = '';
  private _lensFor: unknown = null;
  private _lensById = new Map<string, ILensPractice>();
  private _guidanceCache = new Map<string, HTMLElement>();
  private _disconnect: () => void = () => undefined;
}
