/**
 * The header: the notebook and the workload it belongs to, the phase selector (a view: choosing
 * a phase never writes), the reason for the notebook's own phase, "Record this phase" and "Undo".
 */
import { h } from '../dom';
import type { IViewContext } from './context';

let uid = 0;

export function renderHeader(ctx: IViewContext, name: string, path: string): HTMLElement {
  const { model, trans } = ctx;
  const header = h(
    'div',
    { className: 'jp-wellml-header' },
    h('div', { className: 'jp-wellml-notebook', title: path }, name)
  );
  const workload = renderWorkload(ctx);
  if (workload) {
    header.append(workload);
  }
  const review = model.review;
  const lens = model.lens;
  if (!review || !lens) {
    return header;
  }
  const names = new Map(lens.phases.map(p => [p.id, p.name]));
  const own = model.ownPhase;
  const ownPhases = ownPhaseIds(ctx);
  const ownNames = ownPhases.map(id => names.get(id) ?? id).join(', ');
  const source = model.viewPhase ? 'requested' : (own?.source ?? 'none');
  const ownLabel = !ownPhases.length
    ? trans.__('Not set: all phases')
    : own?.source === 'recorded'
      ? trans.__('Recorded: %1', ownNames)
      : trans.__('Inferred: %1', ownNames);
  const reasonId = `jp-wellml-reason-${++uid}`;
  const select = h(
    'select',
    {
      className: 'jp-wellml-phase-select',
      'aria-label': trans.__('Phase to view'),
      'aria-describedby': reasonId,
      onchange: () => model.setViewPhase(select.value || null)
    },
    h('option', { value: '', selected: !model.viewPhase }, ownLabel),
    lens.phases
      .filter(p => !(ownPhases.length === 1 && ownPhases[0] === p.id))
      .map(p =>
        h(
          'option',
          { value: p.id, selected: p.id === model.viewPhase },
          trans.__('View as %1', p.name)
        )
      )
  );
  const badgeText: { [s: string]: string } = {
    recorded: trans.__('recorded'),
    inferred: trans.__('inferred'),
    requested: trans.__('viewing'),
    none: trans.__('not set')
  };
  const reason = model.viewPhase
    ? trans.__(
        'Viewing the practices as for %1. Nothing is recorded: choose the first entry to go back.',
        names.get(model.viewPhase) ?? model.viewPhase
      )
    : own?.reason || trans.__('Nothing in the notebook shows its phase yet.');
  header.append(
    h(
      'div',
      { className: 'jp-wellml-phase' },
      h('span', { className: 'jp-wellml-phase-label' }, trans.__('Phase')),
      select,
      h(
        'span',
        { className: `jp-wellml-badge jp-wellml-badge-${source}`, title: review.phase.reason },
        badgeText[source] ?? source
      )
    ),
    h('div', { className: 'jp-wellml-reason-text', id: reasonId }, reason)
  );
  const recordable = model.viewPhase ?? (own?.source === 'inferred' ? own.id : null);
  const actions = h('div', { className: 'jp-wellml-phase-actions' });
  if (recordable) {
    actions.append(
      h(
        'button',
        {
          className: 'jp-wellml-action jp-wellml-record-phase',
          title: trans.__("Write phase %1 into the notebook's records (can be undone)", recordable),
          dataset: { focusKey: 'record-phase' },
          onclick: () => ctx.actions.recordPhase()
        },
        trans.__('Record this phase')
      )
    );
  }
  if (model.undoable) {
    actions.append(
      h(
        'button',
        {
          className: 'jp-wellml-action jp-wellml-undo',
          dataset: { focusKey: 'undo' },
          onclick: () => ctx.actions.undo()
        },
        trans.__('Undo %1', model.undoable)
      )
    );
  }
  if (actions.childElementCount) {
    header.append(actions);
  }
  return header;
}

/**
 * "Workload: Claims triage · 5 notebooks · 3 gaps (2 high risk)": the workload of the notebook,
 * from its saved notebooks; or why its wellml-workload.yaml cannot be read.
 */
function renderWorkload(ctx: IViewContext): HTMLElement | null {
  const { model, trans } = ctx;
  if (model.workloadError) {
    return h(
      'div',
      { className: 'jp-wellml-workload jp-wellml-mod-error', role: 'note' },
      trans.__('Workload not shown: %1', model.workloadError)
    );
  }
  const wl = model.workload;
  if (!wl) {
    return null;
  }
  const total = wl.summary.total;
  const n = wl.workload.notebooks.length;
  const parts = [
    n === 1 ? trans.__('1 notebook') : trans.__('%1 notebooks', n),
    total.gap === 1 ? trans.__('1 gap') : trans.__('%1 gaps', total.gap)
  ];
  if (total.high) {
    parts[1] += ' ' + trans.__('(%1 high risk)', total.high);
  }
  if (wl.errors.length) {
    parts.push(trans.__('%1 not reviewed', wl.errors.length));
  }
  const folder = wl.workload.root === '.' ? trans.__('the root folder') : wl.workload.root;
  return h(
    'div',
    {
      className: 'jp-wellml-workload',
      title: [trans.__('Workload folder: %1', folder), ...wl.errors].join('\n')
    },
    h('span', { className: 'jp-wellml-workload-label' }, trans.__('Workload:')),
    ' ',
    h('span', { className: 'jp-wellml-workload-name' }, wl.workload.name),
    h('span', { className: 'jp-wellml-workload-counts' }, ` · ${parts.join(' · ')}`)
  );
}

/** The phases the notebook itself is in (its phase and its regions'), whatever is viewed. */
export function ownPhaseIds(ctx: IViewContext): string[] {
  const phase = ctx.model.ownPhase;
  const ids = new Set<string>();
  if (phase?.id) {
    ids.add(phase.id);
  }
  for (const r of phase?.regions ?? []) {
    if (r.phase) {
      ids.add(r.phase);
    }
  }
  // in the lifecycle's order
  const order = (ctx.model.lens?.phases ?? []).map(p => p.id);
  return [...ids].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}
