/**
 * The records found in the notebook: KPIs, data sources, the explainability decision, waivers,
 * attestations, phases. Waivers and attestations in force have "Remove"; removed ones stay
 * listed as removed (their history is kept in the record).
 */
import { h } from '../dom';
import { describe } from '../records';
import type { IViewContext } from './context';

export function renderRecords(ctx: IViewContext): HTMLElement {
  const { model, trans } = ctx;
  const found = model.review?.records ?? [];
  const section = h(
    'section',
    { className: 'jp-wellml-records', 'aria-labelledby': 'jp-wellml-records-title' },
    h(
      'h3',
      { className: 'jp-wellml-group-title', id: 'jp-wellml-records-title' },
      trans.__('Records')
    )
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
    ['signoff', trans.__('Sign-offs')],
    ['frame', trans.__('Problem framing')],
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
          const removed = typeof r.removed === 'string' && r.removed >= String(r.updated ?? '');
          const removable = (kind === 'waiver' || kind === 'attest') && !removed;
          return h(
            'li',
            {
              className: `jp-wellml-record${removed ? ' jp-wellml-mod-removed' : ''}`,
              dataset: {
                kind,
                key: String(r.name ?? r.uri ?? r.practice ?? r.phase ?? ''),
                status: status || null,
                origin: f.origin,
                removed: removed ? 'true' : null
              }
            },
            kind === 'kpi' ? kpi(ctx, r) : h('span', {}, describe(r)),
            removed
              ? h('span', { className: 'jp-wellml-removed' }, ` (${trans.__('removed')})`)
              : null,
            r.author ? h('span', { className: 'jp-wellml-author' }, ` · ${r.author}`) : null,
            f.cell !== null && f.cell !== undefined
              ? h(
                  'button',
                  {
                    className: 'jp-wellml-link',
                    onclick: () => ctx.actions.reveal(r.cell_id, f.cell)
                  },
                  trans.__('cell %1', f.cell + 1)
                )
              : null,
            removable
              ? h(
                  'button',
                  {
                    className: `jp-wellml-link jp-wellml-remove jp-wellml-remove-${kind}`,
                    dataset: { focusKey: `record-remove:${kind}:${r.practice}` },
                    onclick: () => ctx.actions.remove(kind as 'waiver' | 'attest', r.practice)
                  },
                  trans.__('Remove')
                )
              : null
          );
        })
      )
    );
  }
  return section;
}

function kpi(ctx: IViewContext, r: any): HTMLElement {
  const { trans } = ctx;
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
