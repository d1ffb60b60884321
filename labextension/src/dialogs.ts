/**
 * The "Not applicable…" and "Attest…" dialogs. A value that cannot be recorded (an empty note)
 * opens the dialog again with what was typed and chosen kept, and the problem written under
 * the field (inline, announced); Cancel records nothing.
 */
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

let uid = 0;

/** A labelled note field, with the error (if any) under it. */
function noteField(
  trans: TranslationBundle,
  placeholder: string,
  value: string,
  error: string | null
): { field: HTMLElement; area: HTMLTextAreaElement } {
  const id = `jp-wellml-note-${++uid}`;
  const errorId = `${id}-error`;
  const area = h('textarea', {
    className: 'jp-wellml-note',
    id,
    name: 'note',
    rows: 3,
    maxLength: 2000,
    placeholder,
    'aria-invalid': error ? 'true' : null,
    'aria-describedby': error ? errorId : null
  });
  area.value = value;
  const field = h(
    'div',
    { className: 'jp-wellml-field' },
    h('label', { for: id }, trans.__('Note')),
    area,
    error
      ? h('div', { className: 'jp-wellml-field-error', id: errorId, role: 'alert' }, error)
      : null
  );
  return { field, area };
}

export function reasonLabels(trans: TranslationBundle): { [reason: string]: string } {
  return {
    out_of_scope: trans.__('Out of scope'),
    business_priorities: trans.__('Business priorities'),
    architecture_constraints: trans.__('Architecture constraints'),
    other: trans.__('Other')
  };
}

/** Ask why a practice does not apply until a note is given; null when cancelled. */
export async function askWaiver(
  trans: TranslationBundle,
  practiceId: string,
  title: string
): Promise<IWaiverValue | null> {
  let value: IWaiverValue = { reason: WAIVER_REASONS[0], note: '' };
  let error: string | null = null;
  for (;;) {
    const labels = reasonLabels(trans);
    const selectId = `jp-wellml-reason-${++uid}`;
    const select = h(
      'select',
      { className: 'jp-wellml-reason', name: 'reason', id: selectId },
      WAIVER_REASONS.map(r => h('option', { value: r, selected: r === value.reason }, labels[r]))
    );
    const { field, area } = noteField(
      trans,
      trans.__('Why it does not apply (required)'),
      value.note,
      error
    );
    const node = h(
      'div',
      {},
      h('p', {}, `${practiceId} — ${title}`),
      h(
        'div',
        { className: 'jp-wellml-field' },
        h('label', { for: selectId }, trans.__('Reason')),
        select
      ),
      field
    );
    const result = await showDialog({
      title: trans.__('Not applicable'),
      body: new FormBody<IWaiverValue>(node, () => ({
        reason: select.value,
        note: area.value
      })),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: trans.__('Record waiver') })],
      focusNodeSelector: 'textarea'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    value = result.value;
    if (value.note.trim()) {
      return { reason: value.reason, note: value.note.trim() };
    }
    error = trans.__('Write why %1 does not apply: the note is required.', practiceId);
  }
}

/** Ask how a practice is in place until a note is given; null when cancelled. */
export async function askAttestation(
  trans: TranslationBundle,
  practiceId: string,
  title: string
): Promise<string | null> {
  let note = '';
  let error: string | null = null;
  for (;;) {
    const { field, area } = noteField(
      trans,
      trans.__('How the practice is in place, and where that is written (required)'),
      note,
      error
    );
    const node = h('div', {}, h('p', {}, `${practiceId} — ${title}`), field);
    const result = await showDialog({
      title: trans.__('Attest'),
      body: new FormBody<string>(node, () => area.value),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: trans.__('Record attestation') })],
      focusNodeSelector: 'textarea'
    });
    if (!result.button.accept) {
      return null;
    }
    note = result.value ?? '';
    if (note.trim()) {
      return note.trim();
    }
    error = trans.__('Write how %1 is in place: the note is required.', practiceId);
  }
}
