/**
 * The practices, in the order to act on them: gaps by risk, then what needs your answer (a
 * question and one-click actions), then met practices (detected, recorded, attested); unknown
 * practices are folded per pillar behind a count, waivers and practices of other phases are
 * folded too. Every row is a button: Enter opens it, arrow keys move between rows. When the
 * notebook belongs to a workload, a row whose workload status differs from the notebook's says
 * so under it ("gap here · met in workload (pipeline.ipynb, cell 4)", the notebook a link), and
 * the gaps and questions follow the workload's order of what to do next (model.shown()).
 */
import { h } from '../dom';
import type { IWorkloadNote } from '../model';
import type { ILensPractice, IReviewPractice, IVerdictPractice } from '../types';
import { IViewContext, standingText, stateLabel } from './context';

let uid = 0;

export function renderPractices(ctx: IViewContext): HTMLElement {
  const { model, trans } = ctx;
  const review = model.review!;
  const byId = new Map(review.practices.map(p => [p.id, p]));
  const shown = model.shown();
  const container = h('div', { className: 'jp-wellml-practices' });
  const of = (state: IVerdictPractice['state']) => shown.filter(e => e.state === state);

  const section = (key: string, title: string, entries: IVerdictPractice[], note?: string) => {
    if (!entries.length) {
      return;
    }
    const headingId = `jp-wellml-h-${key}`;
    container.append(
      h(
        'section',
        { className: `jp-wellml-group jp-wellml-group-${key}`, dataset: { group: key } },
        h(
          'h3',
          { className: 'jp-wellml-group-title', id: headingId },
          `${title} (${entries.length})`
        ),
        note ? h('p', { className: 'jp-wellml-group-note' }, note) : null,
        h(
          'ul',
          { className: 'jp-wellml-list', 'aria-labelledby': headingId },
          entries.map(e => row(ctx, e, byId.get(e.id)!))
        )
      )
    );
  };
  section('gap', trans.__('Gaps'), of('gap'));
  section(
    'to_answer',
    trans.__('Needs your answer'),
    of('to_answer'),
    trans.__('The code cannot show these: answer each with a record, an attestation or a waiver.')
  );
  section('met', trans.__('Met'), of('met'));

  // unknown: folded per pillar, behind a count
  const unknown = of('unknown');
  if (unknown.length) {
    const group = h(
      'section',
      { className: 'jp-wellml-group jp-wellml-group-unknown', dataset: { group: 'unknown' } },
      h('h3', { className: 'jp-wellml-group-title' }, trans.__('Unknown (%1)', unknown.length))
    );
    if (review.verdict.note) {
      group.append(h('p', { className: 'jp-wellml-group-note' }, review.verdict.note));
    }
    for (const pillar of model.lens!.pillars) {
      const items = unknown.filter(e => e.pillar === pillar.id);
      if (items.length) {
        group.append(
          fold(
            ctx,
            `unknown:${pillar.id}`,
            trans.__('%1: %2 unknown', pillar.name, items.length),
            items,
            byId
          )
        );
      }
    }
    container.append(group);
  }
  for (const [state, title] of [
    ['waived', trans.__('Waived')],
    ['out_of_phase', trans.__('Other phases')]
  ] as const) {
    const items = of(state);
    if (items.length) {
      container.append(
        h(
          'section',
          { className: `jp-wellml-group jp-wellml-group-${state}`, dataset: { group: state } },
          fold(ctx, state, `${title} (${items.length})`, items, byId)
        )
      );
    }
  }
  if (!container.childElementCount) {
    container.append(
      h('p', { className: 'jp-wellml-empty' }, trans.__('Nothing to show with this filter.'))
    );
  }
  return container;
}

function fold(
  ctx: IViewContext,
  key: string,
  label: string,
  entries: IVerdictPractice[],
  byId: Map<string, IReviewPractice>
): HTMLElement {
  const open = ctx.model.open.has(key);
  const wrap = h('div', { className: 'jp-wellml-fold', dataset: { fold: key } });
  wrap.append(
    h(
      'button',
      {
        className: 'jp-wellml-fold-button jp-wellml-nav',
        'aria-expanded': String(open),
        dataset: { focusKey: `fold:${key}` },
        onclick: () => ctx.model.toggleOpen(key)
      },
      h('span', { className: 'jp-wellml-caret', 'aria-hidden': 'true' }, open ? '▾' : '▸'),
      ' ',
      label
    )
  );
  if (open) {
    wrap.append(
      h(
        'ul',
        { className: 'jp-wellml-list' },
        entries.map(e => row(ctx, e, byId.get(e.id)!))
      )
    );
  }
  return wrap;
}

function row(ctx: IViewContext, entry: IVerdictPractice, p: IReviewPractice): HTMLElement {
  const { model, trans } = ctx;
  const expanded = model.expanded.has(p.id);
  const label = stateLabel(trans, entry);
  const aliases = p.aliases.map(a => `${a.id} (${a.edition})`).join(', ');
  const risk = entry.risk ?? p.lens_risk;
  const note = model.workloadNote(entry);
  const noteId = note ? `jp-wellml-wl-${++uid}` : null;
  const li = h('li', {
    className: `jp-wellml-practice jp-wellml-state-${label.key}`,
    dataset: {
      practiceId: p.id,
      status: p.status,
      verdict: entry.state,
      basis: entry.basis ?? undefined,
      workload: note?.workload
    }
  });
  li.append(
    h(
      'button',
      {
        className: `jp-wellml-row jp-wellml-nav${note ? ' jp-wellml-mod-noted' : ''}`,
        'aria-expanded': String(expanded),
        'aria-describedby': noteId,
        title: aliases ? trans.__('Also known as %1', aliases) : null,
        dataset: { focusKey: `row:${p.id}` },
        onclick: () => model.toggleExpanded(p.id)
      },
      h(
        'span',
        { className: `jp-wellml-mark jp-wellml-mark-${label.key}` },
        h('span', { className: 'jp-wellml-icon', 'aria-hidden': 'true' }, label.icon),
        h('span', { className: 'jp-wellml-mark-text' }, label.text)
      ),
      entry.state === 'gap'
        ? h(
            'span',
            { className: `jp-wellml-risk jp-wellml-risk-${risk}` },
            risk === 'high' ? trans.__('high risk') : trans.__('medium risk')
          )
        : null,
      h('span', { className: 'jp-wellml-id' }, p.id),
      h('span', { className: 'jp-wellml-title' }, p.title)
    )
  );
  if (note) {
    li.append(workloadLine(ctx, label.text, note, noteId!));
  }
  if (entry.state === 'to_answer') {
    li.append(answerBox(ctx, entry, p));
  }
  if (expanded) {
    li.append(detail(ctx, entry, p, ctx.lensById.get(p.id)));
  }
  return li;
}

/** "gap here · met in workload (pipeline.ipynb, cell 4)": the notebook named, and a link. */
function workloadLine(
  ctx: IViewContext,
  hereText: string,
  note: IWorkloadNote,
  id: string
): HTMLElement {
  const { trans } = ctx;
  const link = note.link;
  const where = link
    ? link.cell !== null
      ? trans.__('%1, cell %2', link.notebook, link.cell + 1)
      : link.notebook
    : null;
  return h(
    'p',
    { className: `jp-wellml-workload-note jp-wellml-workload-${note.workload}`, id },
    h('span', { className: 'jp-wellml-here' }, trans.__('%1 here', hereText)),
    ' · ',
    h('span', { className: 'jp-wellml-in-workload' }, standingText(trans, note.workload)),
    link
      ? [
          ' ',
          // "(" and ")" stay with the link; the link itself may wrap
          h(
            'span',
            { className: 'jp-wellml-where' },
            '(',
            h(
              'button',
              {
                className: 'jp-wellml-link jp-wellml-workload-link',
                title: link.message,
                'aria-label': trans.__('%1: open that notebook at the evidence', where),
                dataset: { path: link.path, cell: String(link.cell ?? '') },
                onclick: () => ctx.actions.openAt(link.path, link.cellId, link.cell, link.line)
              },
              where
            ),
            ')'
          )
        ]
      : null
  );
}

/** The question of a practice the code cannot show, with one-click answers. */
function answerBox(ctx: IViewContext, entry: IVerdictPractice, p: IReviewPractice): HTMLElement {
  const { trans } = ctx;
  return h(
    'div',
    { className: 'jp-wellml-answer' },
    h('p', { className: 'jp-wellml-question' }, entry.question ?? ''),
    h('div', { className: 'jp-wellml-actions' }, answerButtons(ctx, entry, p, trans))
  );
}

function answerButtons(
  ctx: IViewContext,
  entry: IVerdictPractice,
  p: IReviewPractice,
  trans: IViewContext['trans']
): HTMLElement[] {
  const buttons: HTMLElement[] = [];
  const magic = entry.magic;
  if (magic && !/^%wellml attest\b/.test(magic)) {
    buttons.push(
      h(
        'button',
        {
          className: 'jp-wellml-action jp-wellml-insert',
          title: magic,
          dataset: { focusKey: `insert:${p.id}` },
          onclick: () => ctx.actions.insertMagic(magic)
        },
        trans.__('Record…')
      )
    );
  }
  buttons.push(
    h(
      'button',
      {
        className: 'jp-wellml-action jp-wellml-attest',
        dataset: { focusKey: `attest:${p.id}` },
        onclick: () => ctx.actions.attest(p)
      },
      trans.__('Attest…')
    ),
    h(
      'button',
      {
        className: 'jp-wellml-action jp-wellml-waive',
        dataset: { focusKey: `waive:${p.id}` },
        onclick: () => ctx.actions.waive(p)
      },
      trans.__('Not applicable…')
    )
  );
  return buttons;
}

function detail(
  ctx: IViewContext,
  entry: IVerdictPractice,
  p: IReviewPractice,
  lens: ILensPractice | undefined
): HTMLElement {
  const { trans } = ctx;
  const box = h('div', { className: 'jp-wellml-detail' });
  if (lens?.summary) {
    box.append(h('p', { className: 'jp-wellml-summary-text' }, lens.summary));
  }
  if (lens?.guidance) {
    box.append(ctx.actions.guidance(lens));
  }
  if (p.evidence.length) {
    box.append(
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
                    title: e.rule ?? null,
                    onclick: () => ctx.actions.reveal(e.cell_id, e.cell, e.line)
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
  if (entry.state === 'waived') {
    actions.append(removeButton(ctx, 'waiver', p.id));
  } else if (entry.state === 'met' && entry.basis === 'attested') {
    actions.append(removeButton(ctx, 'attest', p.id));
  } else if (entry.state === 'gap' || entry.state === 'unknown') {
    actions.append(...answerButtons(ctx, entry, p, trans));
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
        trans.__('Lens docs (opens a new tab)')
      )
    );
  }
  if (actions.childElementCount) {
    box.append(actions);
  }
  return box;
}

function removeButton(ctx: IViewContext, kind: 'waiver' | 'attest', id: string): HTMLElement {
  const { trans } = ctx;
  return h(
    'button',
    {
      className: `jp-wellml-action jp-wellml-remove jp-wellml-remove-${kind}`,
      dataset: { focusKey: `remove:${kind}:${id}` },
      onclick: () => ctx.actions.remove(kind, id)
    },
    kind === 'waiver' ? trans.__('Remove waiver') : trans.__('Remove attestation')
  );
}
