/**
 * The Well-Architected ML side panel: the lens practices for the current notebook's phase,
 * reviewed live by the server extension, with evidence, records and actions.
 */
import { Notification, showErrorMessage } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { SidePanel } from '@jupyterlab/ui-components';
import { Panel, Widget } from '@lumino/widgets';

import { WellMLRequestError, fetchInfo, fetchLens, postReview } from './api';
import { askAttestation, askWaiver } from './dialogs';
import { h, svg } from './dom';
import { wellmlIcon } from './icons';
import {
  captureRecords,
  insertCellBelow,
  revealCell,
  storedRecords,
  writeRecords
} from './notebook';
import { describe, makeRecord } from './records';
import { IInfo, ILens, ILensPractice, IReview, IReviewPractice, IRecord, Status } from './types';

export const SIDEBAR_ID = 'jupyter-wellml-sidebar';
const PHASE_MAGIC = /^\s*%wellml\s+phase\b/m;

export interface ISidebarConfig {
  debounce: number;
  showAllPhases: boolean;
}

export interface ISidebarOptions {
  rendermime: IRenderMimeRegistry;
  serverSettings: ServerConnection.ISettings;
  trans: TranslationBundle;
  version: string;
  author: () => string | null;
}

const STATUS_ORDER: Status[] = ['gap', 'unknown', 'met', 'not_applicable'];
const STATUS_GLYPH: { [s in Status]: string } = {
  met: '✓',
  gap: '!',
  unknown: '?',
  not_applicable: '–'
};

/**
 * The notebook as sent for review: raster images in outputs are emptied (the review reads text,
 * code and records, never pixels), so a notebook full of plots does not post megabytes per edit.
 */
export function slimNotebook(nb: any): any {
  if (!Array.isArray(nb?.cells)) {
    return nb;
  }
  const cells = nb.cells.map((cell: any) => {
    if (!Array.isArray(cell?.outputs)) {
      return cell;
    }
    const outputs = cell.outputs.map((output: any) => {
      const data = output?.data;
      if (!data || typeof data !== 'object') {
        return output;
      }
      const keys = Object.keys(data).filter(k => RASTER.test(k));
      if (!keys.length) {
        return output;
      }
      const slim = { ...data };
      for (const key of keys) {
        slim[key] = '';
      }
      return { ...output, data: slim };
    });
    return { ...cell, outputs };
  });
  return { ...nb, cells };
}

const RASTER = /^image\/(png|jpeg|gif|webp|bmp)$/;

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
    this._body = new Widget({ node: h('div', { className: 'jp-wellml-body' }) });
    this.addWidget(this._body);
    this.toolbar.hide();
    this.node.dataset.reviewSeq = '0';
    this.node.dataset.renderedSeq = '0';
    this.node.dataset.state = 'starting';
    this._render();
  }

  /** Settings changed. */
  configure(config: Partial<ISidebarConfig>): void {
    const showAll = config.showAllPhases;
    this._config = { ...this._config, ...config };
    if (showAll !== undefined) {
      this._showAll = showAll;
    }
    this._render();
  }

  get showAllPhases(): boolean {
    return this._showAll;
  }

  set showAllPhases(value: boolean) {
    this._showAll = value;
    this._render();
  }

  /** Handshake with the server extension and load the lens; errors are shown in the panel. */
  async start(): Promise<void> {
    const trans = this._opts.trans;
    try {
      const info: IInfo = await fetchInfo(this._opts.serverSettings);
      if (info.version !== this._opts.version) {
        this._warning = trans.__(
          'The jupyter-wellml server extension is version %1 but this sidebar is version %2; reinstall jupyter-wellml and restart JupyterLab.',
          info.version,
          this._opts.version
        );
      }
      this._lens = await fetchLens(this._opts.serverSettings);
      this._fatal = null;
    } catch (error) {
      if (error instanceof WellMLRequestError && error.status === 404) {
        this._fatal = trans.__(
          'The jupyter-wellml server extension is not running on this Jupyter server (GET /api/wellml/info answered 404). Enable it with "jupyter server extension enable jupyter_wellml" and restart the server.'
        );
      } else {
        this._fatal = trans.__(
          'Cannot load the lens: %1',
          String((error as Error).message ?? error)
        );
      }
      this._notify(this._fatal, error);
    }
    this.node.dataset.state = this._fatal ? 'error' : 'ready';
    this._render();
    this.refresh(0);
  }

  /** Follow another notebook (or none). */
  setNotebook(panel: NotebookPanel | null): void {
    if (panel === this._panel) {
      return;
    }
    this._disconnect();
    this._panel = panel;
    this._review = null;
    this._error = null;
    if (panel) {
      const onChange = () => this.refresh();
      const onActive = () => this._render();
      const onKernel = () => this.refresh(0);
      const stopCapture = captureRecords(panel, error => this._notify(String(error), error));
      const connect = () => {
        const model = panel.model;
        model?.contentChanged.connect(onChange);
        model?.metadataChanged.connect(onChange);
      };
      void panel.context.ready.then(() => {
        if (this._panel === panel) {
          connect();
          this.refresh(0);
        }
      });
      panel.content.activeCellChanged.connect(onActive);
      panel.sessionContext.kernelChanged.connect(onKernel);
      panel.context.pathChanged.connect(onActive);
      this._disconnect = () => {
        stopCapture();
        panel.model?.contentChanged.disconnect(onChange);
        panel.model?.metadataChanged.disconnect(onChange);
        panel.content.activeCellChanged.disconnect(onActive);
        panel.sessionContext.kernelChanged.disconnect(onKernel);
        panel.context.pathChanged.disconnect(onActive);
      };
    } else {
      this._disconnect = () => undefined;
    }
    this._render();
  }

  get notebook(): NotebookPanel | null {
    return this._panel;
  }

  /** Review the notebook after `delay` ms (the debounce setting by default). */
  refresh(delay?: number): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(() => void this._runReview(), delay ?? this._config.debounce);
  }

  dispose(): void {
    window.clearTimeout(this._timer);
    this._disconnect();
    super.dispose();
  }

  private async _runReview(): Promise<void> {
    const panel = this._panel;
    if (!panel || !panel.model || !this._lens || this.isDisposed) {
      return;
    }
    const seq = ++this._seq;
    this.node.dataset.reviewSeq = String(seq);
    const notebook = slimNotebook(panel.model.toJSON());
    const kernelId = panel.sessionContext.session?.kernel?.id;
    const request = { path: panel.context.path, kernel_id: kernelId, notebook };
    let review: IReview;
    try {
      try {
        review = await postReview(this._opts.serverSettings, request);
      } catch (error) {
        // a kernel that is gone or not Python: review the code without its environment
        if (
          kernelId &&
          error instanceof WellMLRequestError &&
          [404, 422, 502, 504].includes(error.status)
        ) {
          review = await postReview(this._opts.serverSettings, {
            ...request,
            kernel_id: undefined
          });
        } else {
          throw error;
        }
      }
    } catch (error) {
      if (seq !== this._seq || panel !== this._panel) {
        return;
      }
      this._error = this._opts.trans.__('Review failed: %1', String((error as Error).message));
      this._notify(this._error, error);
      this._render();
      this.node.dataset.renderedSeq = String(seq);
      return;
    }
    if (seq !== this._seq || panel !== this._panel) {
      return; // a newer review was asked for: this answer is stale
    }
    this._review = review;
    this._error = null;
    this._render();
    this.node.dataset.renderedSeq = String(seq);
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

  /** The phase at the active cell: its region's, else the notebook's. */
  private _currentPhase(): { id: string | null; source: string; reason: string } {
    const review = this._review;
    if (!review) {
      return { id: null, source: 'none', reason: '' };
    }
    const index = this._panel?.content.activeCellIndex ?? -1;
    const region = review.phase.regions.find(r => r.start <= index && index <= r.end);
    if (region && region.phase) {
      return { id: region.phase, source: region.source, reason: region.reason };
    }
    return {
      id: review.phase.id,
      source: review.phase.source,
      reason: review.phase.reason ?? ''
    };
  }

  private _render(): void {
    const trans = this._opts.trans;
    const root = this._body.node;
    root.replaceChildren();
    if (this._fatal) {
      root.append(
        h('div', { className: 'jp-wellml-banner jp-wellml-mod-error', role: 'alert' }, this._fatal)
      );
      return;
    }
    if (this._warning) {
      root.append(
        h(
          'div',
          { className: 'jp-wellml-banner jp-wellml-mod-warn', role: 'status' },
          this._warning
        )
      );
    }
    const panel = this._panel;
    if (!panel) {
      root.append(
        h(
          'p',
          { className: 'jp-wellml-empty' },
          trans.__('Open a notebook to review it against the Machine Learning Lens.')
        )
      );
      return;
    }
    if (!this._lens || !this._review) {
      root.append(this._renderHeader(null));
      root.append(
        this._error
          ? h(
              'div',
              { className: 'jp-wellml-banner jp-wellml-mod-error', role: 'alert' },
              this._error
            )
          : h('p', { className: 'jp-wellml-empty' }, trans.__('Reviewing…'))
      );
      return;
    }
    const phase = this._currentPhase();
    root.append(this._renderHeader(phase));
    if (this._error) {
      root.append(
        h('div', { className: 'jp-wellml-banner jp-wellml-mod-error', role: 'alert' }, this._error)
      );
    }
    const showAll = this._showAll || !phase.id;
    const practices = this._review.practices.filter(p => showAll || p.phases.includes(phase.id!));
    root.append(this._summary(practices));
    root.append(this._practices(practices));
    root.append(this._records());
  }

  private _renderHeader(
    phase: { id: string | null; source: string; reason: string } | null
  ): HTMLElement {
    const trans = this._opts.trans;
    const name = this._panel?.context.localPath.split('/').pop() ?? '';
    const header = h(
      'div',
      { className: 'jp-wellml-header' },
      h('div', { className: 'jp-wellml-notebook', title: this._panel?.context.path }, name)
    );
    if (!phase || !this._lens) {
      return header;
    }
    const select = h(
      'select',
      {
        className: 'jp-wellml-phase-select',
        'aria-label': trans.__('Phase'),
        onchange: () => this._choosePhase(select.value)
      },
      phase.id ? null : h('option', { value: '', selected: true }, trans.__('(no phase)')),
      this._lens.phases.map(p => h('option', { value: p.id, selected: p.id === phase.id }, p.name))
    );
    const badgeText =
      phase.source === 'recorded'
        ? trans.__('recorded')
        : phase.source === 'inferred'
          ? trans.__('inferred')
          : phase.source === 'requested'
            ? trans.__('requested')
            : trans.__('not set');
    const badge = h(
      'span',
      { className: `jp-wellml-badge jp-wellml-badge-${phase.source}`, title: phase.reason || null },
      badgeText
    );
    const toggle = h('input', {
      type: 'checkbox',
      className: 'jp-wellml-all-phases',
      checked: this._showAll,
      onchange: () => {
        this.showAllPhases = toggle.checked;
      }
    });
    const reason =
      phase.reason && phase.source === 'inferred'
        ? h('div', { className: 'jp-wellml-reason-text' }, phase.reason)
        : '';
    header.append(
      h(
        'div',
        { className: 'jp-wellml-phase' },
        h('label', {}, trans.__('Phase'), ' ', select),
        ' ',
        badge
      ),
      reason,
      h('label', { className: 'jp-wellml-toggle' }, toggle, ' ', trans.__('Show all phases'))
    );
    return header;
  }

  /** Write the chosen phase into metadata.wellml (no kernel needed). */
  private _choosePhase(phaseId: string): void {
    const panel = this._panel;
    if (!panel || !phaseId) {
      return;
    }
    // a marker region recorded by a cell: update that marker; otherwise the notebook's phase
    const index = panel.content.activeCellIndex;
    const region = this._review?.phase.regions.find(r => r.start <= index && index <= r.end);
    const markerCell =
      region && region.source === 'recorded' ? panel.content.widgets[region.start] : null;
    const markerId = markerCell?.model.id;
    // the region starts at a marker: a `%wellml phase` line in the cell, or a record naming it
    const isMarker =
      !!markerId &&
      (PHASE_MAGIC.test(markerCell!.model.sharedModel.getSource()) ||
        storedRecords(panel).some(r => r.kind === 'phase' && r.cell_id === markerId));
    const record = makeRecord('phase', { phase: phaseId }, this._opts.author());
    if (isMarker) {
      record.cell_id = markerId;
    }
    try {
      writeRecords(panel, [record]);
    } catch (error) {
      this._notify(String(error), error);
    }
    this.refresh(0);
  }

  private _summary(practices: IReviewPractice[]): HTMLElement {
    const trans = this._opts.trans;
    const counts: { [s: string]: number } = { met: 0, gap: 0, unknown: 0, not_applicable: 0 };
    for (const p of practices) {
      counts[p.status]++;
    }
    const labels = this._statusLabels();
    const list = h(
      'ul',
      { className: 'jp-wellml-counts' },
      STATUS_ORDER.map(s =>
        h(
          'li',
          { className: `jp-wellml-status-${s}`, dataset: { status: s, count: String(counts[s]) } },
          h('b', {}, String(counts[s])),
          ' ',
          labels[s]
        )
      )
    );
    // high / medium gaps per pillar, as a small horizontal bar chart
    const pillars = this._lens!.pillars;
    const rows = pillars.map(pl => {
      const gaps = practices.filter(p => p.pillar === pl.id && p.status === 'gap');
      return {
        pillar: pl,
        high: gaps.filter(p => p.risk === 'high').length,
        medium: gaps.filter(p => p.risk === 'medium').length
      };
    });
    const max = Math.max(1, ...rows.map(r => r.high + r.medium));
    const rowH = 14;
    const labelW = 132;
    const barW = 96;
    const chart = svg('svg', {
      class: 'jp-wellml-chart',
      width: labelW + barW + 30,
      height: rows.length * rowH + 4,
      role: 'img',
      'aria-label': trans.__('High and medium risk gaps per pillar')
    });
    rows.forEach((r, i) => {
      const y = i * rowH + 2;
      const label = svg('text', { x: 0, y: y + 10, class: 'jp-wellml-chart-label' });
      label.textContent = r.pillar.name;
      chart.append(label);
      const hw = (r.high / max) * barW;
      const mw = (r.medium / max) * barW;
      const high = svg('rect', {
        x: labelW,
        y,
        width: hw,
        height: rowH - 4,
        class: 'jp-wellml-bar-high'
      });
      const med = svg('rect', {
        x: labelW + hw,
        y,
        width: mw,
        height: rowH - 4,
        class: 'jp-wellml-bar-medium'
      });
      const tip = svg('title');
      tip.textContent = trans.__('%1: %2 high, %3 medium', r.pillar.name, r.high, r.medium);
      chart.append(high, med, tip);
      const value = svg('text', {
        x: labelW + hw + mw + 4,
        y: y + 10,
        class: 'jp-wellml-chart-value'
      });
      value.textContent = r.high + r.medium ? `${r.high}/${r.medium}` : '';
      chart.append(value);
    });
    return h(
      'div',
      { className: 'jp-wellml-summary' },
      list,
      h(
        'div',
        { className: 'jp-wellml-chart-legend' },
        h('span', { className: 'jp-wellml-key-high' }, trans.__('high')),
        ' ',
        h('span', { className: 'jp-wellml-key-medium' }, trans.__('medium')),
        ' ',
        trans.__('risk gaps per pillar')
      ),
      chart
    );
  }

  private _statusLabels(): { [s in Status]: string } {
    const trans = this._opts.trans;
    return {
      met: trans.__('met'),
      gap: trans.__('gap'),
      unknown: trans.__('unknown'),
      not_applicable: trans.__('not applicable')
    };
  }

  private _practices(practices: IReviewPractice[]): HTMLElement {
    const trans = this._opts.trans;
    const container = h('div', { className: 'jp-wellml-practices' });
    const lensById = new Map(this._lens!.practices.map(p => [p.id, p]));
    for (const pillar of this._lens!.pillars) {
      const items = practices.filter(p => p.pillar === pillar.id);
      if (!items.length) {
        continue;
      }
      items.sort(
        (a, b) =>
          STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
          a.id.localeCompare(b.id)
      );
      const collapsed = this._collapsed.has(pillar.id);
      const gaps = items.filter(p => p.status === 'gap').length;
      const section = h('section', {
        className: 'jp-wellml-pillar',
        dataset: { pillar: pillar.id }
      });
      section.append(
        h(
          'button',
          {
            className: 'jp-wellml-pillar-header',
            'aria-expanded': String(!collapsed),
            onclick: () => {
              if (collapsed) {
                this._collapsed.delete(pillar.id);
              } else {
                this._collapsed.add(pillar.id);
              }
              this._render();
            }
          },
          h('span', { className: 'jp-wellml-caret' }, collapsed ? '▸' : '▾'),
          ' ',
          pillar.name,
          h(
            'span',
            { className: 'jp-wellml-pillar-count' },
            gaps ? trans.__('%1 of %2 gaps', gaps, items.length) : String(items.length)
          )
        )
      );
      if (!collapsed) {
        section.append(
          h(
            'ul',
            { className: 'jp-wellml-list' },
            items.map(p => this._row(p, lensById.get(p.id)))
          )
        );
      }
      container.append(section);
    }
    return container;
  }

  private _row(p: IReviewPractice, lens: ILensPractice | undefined): HTMLElement {
    const trans = this._opts.trans;
    const expanded = this._expanded.has(p.id);
    const aliases = p.aliases.map(a => `${a.id} (${a.edition})`).join(', ');
    const risk = p.risk ?? p.lens_risk;
    const label = this._statusLabels()[p.status];
    const li = h('li', {
      className: `jp-wellml-practice jp-wellml-status-${p.status}`,
      dataset: { practiceId: p.id, status: p.status }
    });
    li.append(
      h(
        'button',
        {
          className: 'jp-wellml-row',
          'aria-expanded': String(expanded),
          title: aliases ? trans.__('Also known as %1', aliases) : null,
          onclick: () => {
            if (this._expanded.has(p.id)) {
              this._expanded.delete(p.id);
            } else {
              this._expanded.add(p.id);
            }
            this._render();
          }
        },
        h(
          'span',
          { className: 'jp-wellml-status-icon', title: label, 'aria-label': label },
          STATUS_GLYPH[p.status]
        ),
        h('span', { className: 'jp-wellml-id' }, p.id),
        h('span', { className: 'jp-wellml-title' }, p.title),
        h(
          'span',
          {
            className: `jp-wellml-risk jp-wellml-risk-${risk}`,
            title: p.risk ? trans.__('risk of this gap') : trans.__('risk if not in place')
          },
          risk === 'high' ? trans.__('high') : trans.__('medium')
        )
      )
    );
    if (expanded) {
      li.append(this._detail(p, lens));
    }
    return li;
  }

  private _detail(p: IReviewPractice, lens: ILensPractice | undefined): HTMLElement {
    const trans = this._opts.trans;
    const detail = h('div', { className: 'jp-wellml-detail' });
    if (lens?.summary) {
      detail.append(h('p', { className: 'jp-wellml-summary-text' }, lens.summary));
    }
    if (lens?.guidance) {
      detail.append(this._guidance(lens));
    }
    if (p.evidence.length) {
      detail.append(
        h('div', { className: 'jp-wellml-subtitle' }, trans.__('Evidence')),
        h(
          'ul',
          { className: 'jp-wellml-evidence' },
          p.evidence.map(e =>
            h(
              'li',
              { dataset: { effect: e.effect } },
              e.cell !== null && e.cell !== undefined
                ? h(
                    'button',
                    {
                      className: 'jp-wellml-link jp-wellml-evidence-link',
                      dataset: { cell: String(e.cell), line: String(e.line ?? '') },
                      title: e.rule,
                      onclick: () => void this._reveal(e.cell_id, e.cell, e.line)
                    },
                    trans.__('cell %1, line %2', e.cell + 1, e.line ?? 1)
                  )
                : null,
              ' ',
              h('span', {}, e.message),
              e.snippet ? h('code', { className: 'jp-wellml-snippet' }, e.snippet) : null
            )
          )
        )
      );
    }
    const actions = h('div', { className: 'jp-wellml-actions' });
    actions.append(
      h(
        'button',
        { className: 'jp-wellml-action jp-wellml-waive', onclick: () => void this._waive(p) },
        trans.__('Not applicable…')
      ),
      h(
        'button',
        { className: 'jp-wellml-action jp-wellml-attest', onclick: () => void this._attest(p) },
        trans.__('Attest…')
      )
    );
    if (lens?.magic) {
      actions.append(
        h(
          'button',
          {
            className: 'jp-wellml-action jp-wellml-insert',
            title: lens.magic,
            onclick: () => this._insertMagic(lens.magic!)
          },
          trans.__('Insert magic')
        )
      );
    }
    if (lens?.docs && /^https:\/\//.test(lens.docs)) {
      actions.append(
        h(
          'a',
          {
            className: 'jp-wellml-docs',
            href: lens.docs,
            target: '_blank',
            rel: 'noopener noreferrer'
          },
          trans.__('Lens docs')
        )
      );
    }
    detail.append(actions);
    return detail;
  }

  /** Guidance Markdown, rendered untrusted: JupyterLab's sanitizer removes scripts and handlers. */
  private _guidance(lens: ILensPractice): HTMLElement {
    const key = `${this._lens?.fingerprint}:${lens.id}`;
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

  private async _waive(p: IReviewPractice): Promise<void> {
    const trans = this._opts.trans;
    const value = await askWaiver(trans, p.id, p.title);
    if (!value) {
      return;
    }
    if (!value.note) {
      Notification.warning(
        trans.__('No waiver recorded for %1: a note saying why is required.', p.id),
        { autoClose: 6000 }
      );
      return;
    }
    this._write(
      makeRecord(
        'waiver',
        { practice: p.id, reason: value.reason, note: value.note },
        this._opts.author()
      )
    );
  }

  private async _attest(p: IReviewPractice): Promise<void> {
    const trans = this._opts.trans;
    const note = await askAttestation(trans, p.id, p.title);
    if (note === null) {
      return;
    }
    if (!note) {
      Notification.warning(trans.__('No attestation recorded for %1: a note is required.', p.id), {
        autoClose: 6000
      });
      return;
    }
    this._write(makeRecord('attest', { practice: p.id, note }, this._opts.author()));
  }

  private _write(record: IRecord): void {
    const panel = this._panel;
    if (!panel) {
      return;
    }
    try {
      writeRecords(panel, [record]);
    } catch (error) {
      this._notify(
        this._opts.trans.__('Could not record %1: %2', record.kind, String(error)),
        error
      );
    }
    this.refresh(0);
  }

  /** Insert a magic below the active cell (first `%load_ext jupyter_wellml` when missing). */
  insertMagic(source: string): void {
    this._insertMagic(source);
  }

  private _insertMagic(magic: string): void {
    const panel = this._panel;
    if (!panel) {
      return;
    }
    const loaded = panel.content.widgets.some(c =>
      c.model.sharedModel.getSource().includes('load_ext jupyter_wellml')
    );
    insertCellBelow(panel, loaded ? magic : `%load_ext jupyter_wellml\n${magic}`);
  }

  private _records(): HTMLElement {
    const trans = this._opts.trans;
    const found = this._review?.records ?? [];
    const section = h(
      'section',
      { className: 'jp-wellml-records' },
      h('div', { className: 'jp-wellml-subtitle' }, trans.__('Records'))
    );
    if (!found.length) {
      section.append(
        h(
          'p',
          { className: 'jp-wellml-empty' },
          trans.__(
            'No records yet: KPIs, data sources, the explainability decision and waivers recorded with %wellml or the actions above appear here.'
          )
        )
      );
      return section;
    }
    const kinds: [string, string][] = [
      ['kpi', trans.__('KPIs')],
      ['data', trans.__('Data sources')],
      ['explain', trans.__('Explainability')],
      ['waiver', trans.__('Waivers')],
      ['attest', trans.__('Attestations')],
      ['phase', trans.__('Phase')]
    ];
    for (const [kind, title] of kinds) {
      const items = found.filter(f => f.record.kind === kind);
      if (!items.length) {
        continue;
      }
      section.append(
        h('div', { className: 'jp-wellml-record-kind' }, title),
        h(
          'ul',
          { className: 'jp-wellml-record-list' },
          items.map(f => {
            const r = f.record as any;
            const status = kind === 'kpi' ? String(r.status ?? '') : '';
            return h(
              'li',
              {
                className: 'jp-wellml-record',
                dataset: {
                  kind,
                  key: String(r.name ?? r.uri ?? r.practice ?? r.phase ?? ''),
                  status: status || null,
                  origin: f.origin
                }
              },
              kind === 'kpi' ? this._kpi(r) : h('span', {}, describe(r)),
              f.cell !== null && f.cell !== undefined
                ? h(
                    'button',
                    {
                      className: 'jp-wellml-link',
                      onclick: () => void this._reveal(r.cell_id, f.cell)
                    },
                    trans.__('cell %1', f.cell + 1)
                  )
                : null
            );
          })
        )
      );
    }
    return section;
  }

  private _kpi(r: any): HTMLElement {
    const trans = this._opts.trans;
    const target = r.op != null && r.target != null ? `${r.op} ${r.target}` : trans.__('no target');
    const measured = r.measured != null ? String(r.measured) : trans.__('not measured');
    const status = String(r.status ?? 'unmeasured');
    return h(
      'span',
      { className: 'jp-wellml-kpi' },
      h('b', {}, String(r.name)),
      ` ${target}`,
      r.acceptable_error != null ? ` ±${r.acceptable_error}` : '',
      ` · ${trans.__('measured')} ${measured} · `,
      h('span', { className: `jp-wellml-kpi-${status}` }, status.replace(/_/g, ' '))
    );
  }

  private _body: Widget;
  private _config: ISidebarConfig = { debounce: 150, showAllPhases: false };
  private _showAll = false;
  private _lens: ILens | null = null;
  private _review: IReview | null = null;
  private _panel: NotebookPanel | null = null;
  private _fatal: string | null = null;
  private _warning: string | null = null;
  private _error: string | null = null;
  private _lastNotified = '';
  private _seq = 0;
  private _timer = 0;
  private _collapsed = new Set<string>();
  private _expanded = new Set<string>();
  private _guidanceCache = new Map<string, HTMLElement>();
  private _disconnect: () => void = () => undefined;
}
