/**
 * A MIME renderer for `application/vnd.jupyter.wellml.record+json`: a compact "recorded" chip in
 * the cell output instead of the HTML fallback. Text only: record values are never parsed as HTML.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { RECORD_MIME, describe, payloadRecords } from './records';

class RecordChip extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this.addClass('jp-wellml-RecordOutput');
    this._trans = options.translator?.load('jupyter_wellml');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const records = payloadRecords(model.data[RECORD_MIME]);
    this.node.replaceChildren();
    const tr = (text: string) => this._trans?.__(text) ?? text;
    if (!records || !records.length) {
      this.node.textContent = tr('wellml: not a wellml-record/v1 payload');
      return;
    }
    for (const record of records) {
      const line = document.createElement('div');
      line.className = 'jp-wellml-recorded-line';
      line.dataset.kind = record.kind;
      const chip = document.createElement('span');
      chip.className = 'jp-wellml-chip';
      chip.textContent = tr('recorded');
      const text = document.createElement('span');
      text.textContent = ` ${describe(record)}`;
      line.append(chip, text);
      this.node.append(line);
    }
  }

  private _trans?: IRenderMime.TranslationBundle;
}

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [RECORD_MIME],
  defaultRank: 40,
  createRenderer: options => new RecordChip(options)
};

const extension: IRenderMime.IExtension = {
  id: 'jupyter-wellml:record-renderer',
  description: 'Shows a compact "recorded" chip for records displayed by %wellml magics.',
  rendererFactory,
  rank: 40,
  dataType: 'json'
};

export default extension;
