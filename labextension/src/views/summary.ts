/**
 * The summary: progress ("12 of 31 answered"), the verdict's counts, the WA Tool's high and
 * medium risk items per pillar as a table (numbers as text, legible at the panel's default
 * width), and the filter (gaps / to answer / all).
 */
import { h } from '../dom';
import type { Filter } from '../model';
import type { IVerdictCounts, State } from '../types';
import { IViewContext, stateWords } from './context';

export function renderSummary(ctx: IViewContext): HTMLElement {
  const { model, trans } = ctx;
  const verdict = model.review!.verdict;
  const c = verdict.counts;
  const section = h('section', {
    className: 'jp-wellml-summary',
    'aria-label': trans.__('Summary')
  });
  const pct = c.in_scope ? Math.round((100 * c.answered) / c.in_scope) : 0;
  section.append(
    h(
      'div',
      { className: 'jp-wellml-progress' },
      h(
        'span',
        { className: 'jp-wellml-progress-text', dataset: { answered: String(c.answered) } },
        trans.__('%1 of %2 answered', c.answered, c.in_scope)
      ),
      h(
        'div',
        {
          className: 'jp-wellml-progress-bar',
          role: 'progressbar',
          'aria-label': trans.__('Practices of this phase answered'),
          'aria-valuemin': '0',
          'aria-valuemax': String(c.in_scope),
          'aria-valuenow': String(c.answered)
        },
        h('div', { className: 'jp-wellml-progress-fill', style: `width: ${pct}%` })
      )
    ),
    counts(ctx, c),
    riskTable(ctx),
    filter(ctx)
  );
  return section;
}

function counts(ctx: IViewContext, c: IVerdictCounts): HTMLElement {
  const { trans } = ctx;
  const words = stateWords(trans);
  return h(
    'ul',
    { className: 'jp-wellml-counts', 'aria-label': trans.__('Counts') },
    (Object.keys(words) as State[]).map(key =>
      h(
        'li',
        { className: `jp-wellml-count jp-wellml-count-${key}`, dataset: { count: key } },
        h('b', {}, String(c[key])),
        ' ',
        words[key].count
      )
    )
  );
}

function riskTable(ctx: IViewContext): HTMLElement {
  const { model, trans } = ctx;
  const verdict = model.review!.verdict;
  const rows = verdict.pillars.map(p =>
    h(
      'tr',
      { dataset: { pillar: p.id } },
      h('th', { scope: 'row' }, p.name),
      h('td', { className: p.high ? 'jp-wellml-risk-high' : 'jp-wellml-zero' }, String(p.high)),
      h(
        'td',
        { className: p.medium ? 'jp-wellml-risk-medium' : 'jp-wellml-zero' },
        String(p.medium)
      )
    )
  );
  const c = verdict.counts;
  return h(
    'table',
    { className: 'jp-wellml-risk-table' },
    h('caption', {}, trans.__('Risk items per pillar (gaps)')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, trans.__('Pillar')),
        h('th', { scope: 'col' }, trans.__('High')),
        h('th', { scope: 'col' }, trans.__('Medium'))
      )
    ),
    h('tbody', {}, rows),
    h(
      'tfoot',
      {},
      h(
        'tr',
        { dataset: { pillar: 'total' } },
        h('th', { scope: 'row' }, trans.__('All pillars')),
        h('td', { className: c.high ? 'jp-wellml-risk-high' : 'jp-wellml-zero' }, String(c.high)),
        h(
          'td',
          { className: c.medium ? 'jp-wellml-risk-medium' : 'jp-wellml-zero' },
          String(c.medium)
        )
      )
    )
  );
}

function filter(ctx: IViewContext): HTMLElement {
  const { model, trans } = ctx;
  const c = model.review!.verdict.counts;
  const choices: [Filter, string][] = [
    ['gaps', trans.__('Gaps (%1)', c.gap)],
    ['to_answer', trans.__('To answer (%1)', c.to_answer)],
    ['all', trans.__('All')]
  ];
  const name = 'jp-wellml-filter';
  return h(
    'fieldset',
    { className: 'jp-wellml-filter' },
    h('legend', {}, trans.__('Show')),
    choices.map(([value, label]) =>
      h(
        'label',
        { className: 'jp-wellml-filter-choice' },
        h('input', {
          type: 'radio',
          name,
          value,
          checked: model.filter === value,
          dataset: { focusKey: `filter:${value}` },
          onchange: () => model.setFilter(value)
        }),
        ' ',
        label
      )
    )
  );
}
