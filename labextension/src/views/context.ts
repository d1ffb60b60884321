/** What every view gets: the model, translations, the lens by id and the panel's actions. */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { SidebarModel, Standing } from '../model';
import type { Basis, ILensPractice, IReviewPractice, IVerdictPractice, State } from '../types';

export interface IActions {
  reveal(cellId: string | null | undefined, cell: number | null, line?: number | null): void;
  /** Open another notebook (a server path) at a cell, where JupyterLab can. */
  openAt(path: string, cellId: string | null, cell: number | null, line: number | null): void;
  insertMagic(source: string): void;
  waive(practice: IReviewPractice): void;
  attest(practice: IReviewPractice): void;
  remove(kind: 'waiver' | 'attest', practiceId: string): void;
  recordPhase(): void;
  undo(): void;
  /** The practice's guidance, rendered (untrusted Markdown). */
  guidance(lens: ILensPractice): HTMLElement;
}

export interface IViewContext {
  model: SidebarModel;
  trans: TranslationBundle;
  lensById: Map<string, ILensPractice>;
  actions: IActions;
}

/**
 * Each state's mark, its word for one practice ("gap") and its word beside a count ("3 gaps"), in
 * the verdict's order. A met practice is shown by its basis instead (stateLabel).
 */
export function stateWords(trans: TranslationBundle): {
  [s in State]: { icon: string; text: string; count: string };
} {
  return {
    gap: { icon: '!', text: trans.__('gap'), count: trans.__('gaps') },
    to_answer: { icon: '?', text: trans.__('to answer'), count: trans.__('to answer') },
    met: { icon: '✓', text: trans.__('met'), count: trans.__('met') },
    unknown: { icon: '…', text: trans.__('unknown'), count: trans.__('unknown') },
    waived: { icon: '⊘', text: trans.__('waived'), count: trans.__('waived') },
    out_of_phase: { icon: '–', text: trans.__('other phase'), count: trans.__('other phases') }
  };
}

/** One mark and one word per state (and per basis of a met practice): never colour alone. */
export function stateLabel(
  trans: TranslationBundle,
  entry: Pick<IVerdictPractice, 'state' | 'basis'>
): { icon: string; text: string; key: State | Basis } {
  if (entry.state === 'met') {
    const basis: Basis = entry.basis ?? 'detected';
    const met: { [b in Basis]: { icon: string; text: string } } = {
      detected: { icon: '✓', text: trans.__('detected') },
      recorded: { icon: '✎', text: trans.__('recorded') },
      attested: { icon: '☑', text: trans.__('attested') }
    };
    return { ...met[basis], key: basis };
  }
  const { icon, text } = stateWords(trans)[entry.state];
  return { icon, text, key: entry.state };
}

/** Words for a practice's standing in the workload ("met in the workload"). */
export function standingText(trans: TranslationBundle, standing: Standing): string {
  const text: { [s in Standing]: string } = {
    met: trans.__('met in workload'),
    gap: trans.__('gap in workload'),
    open: trans.__('to answer in workload'),
    waived: trans.__('waived in workload'),
    out_of_phase: trans.__('in no phase of the workload')
  };
  return text[standing];
}
