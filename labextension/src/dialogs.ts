/** The "Not applicable…" and "Attest…" dialogs: plain forms whose value is read on accept. */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { WAIVER_REASONS } from './records';

export interface IWaiverValue {
  reason: string;
  note: string;
}

class FormBody<T> extends Widget implements Dialog.IBodyWidget<T> {
  constructor(
    node: HTMLElement,
    private _read: () => T
  ) {
    super({ node });
    this.addClass('jp-wellml-dialog');
  }

  getValue(): T {
    return this._read();
  }
}

function noteArea(placeholder: string): HTMLTextAreaElement {
  return h('textarea', {
    className: 'jp-wellml-note',
    name: 'note',
    rows: 3,
    maxLength: 2000,
    placeholder
  });
}

export function reasonLabels(trans: TranslationBundle): { [reason: string]: string } {
  return {
    out_of_scope: trans.__('Out of scope'),
    business_priorities: trans.__('Business priorities'),
    architecture_constraints: trans.__('Architecture constraints'),
    other: trans.__('Other')
  };
}

/** Ask why a practice does not apply; null when cancelled. */
export async function askWaiver(
  trans: TranslationBundle,
  practiceId: string,
  title: string
): Promise<IWaiverValue | null> {
  const labels = reasonLabels(trans);
  const select = h(
    'select',
    { className: 'jp-wellml-reason', name: 'reason' },
    WAIVER_REASONS.map(r => h('option', { value: r }, labels[r]))
  );
  const note = noteArea(trans.__('Why it does not apply (required)'));
  const node = h(
    'div',
    {},
    h('p', {}, `${practiceId} — ${title}`),
    h('label', {}, trans.__('Reason'), select),
    h('label', {}, trans.__('Note'), note)
  );
  const result = await showDialog({
    title: trans.__('Not applicable'),
    body: new FormBody<IWaiverValue>(node, () => ({
      reason: select.value,
      note: note.value.trim()
    })),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: trans.__('Record waiver') })],
    focusNodeSelector: 'textarea'
  });
  return result.button.accept && result.value ? result.value : null;
}

/** Ask for an attestation note; null when cancelled. */
export async function askAttestation(
  trans: TranslationBundle,
  practiceId: string,
  title: string
): Promise<string | null> {
  const note = noteArea(
    trans.__('How the practice is in place, and where that is written (required)')
  );
  const node = h(
    'div',
    {},
    h('p', {}, `${practiceId} — ${title}`),
    h('label', {}, trans.__('Note'), note)
  );
  const result = await showDialog({
    title: trans.__('Attest'),
    body: new FormBody<string>(node, () => note.value.trim()),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: trans.__('Record attestation') })],
    focusNodeSelector: 'textarea'
  });
  return result.button.accept ? (result.value ?? null) : null;
}
