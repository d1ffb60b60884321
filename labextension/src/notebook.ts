/**
 * The sidebar's hands on a JupyterLab notebook: the model's document (cells by id, metadata,
 * metadata.wellml), the signals that tell the model what changed, records that `%wellml`
 * magics display, jumps to evidence, inserted cells.
 */
import { Cell, CodeCell, ICellModel } from '@jupyterlab/cells';
import { NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { KernelMessage } from '@jupyterlab/services';

import { IDocument, SidebarModel, writeRecords } from './model';
import { METADATA_KEY, RECORD_MIME, payloadRecords } from './records';

const RASTER = /^image\/(png|jpeg|gif|webp|bmp)$/;

/**
 * A cell as sent for review: raster images in outputs are emptied (the review reads text, code
 * and records, never pixels), so a notebook full of plots does not post megabytes per edit.
 */
export function slimCell(cell: any): any {
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
}

/** The notebook of a NotebookPanel as the model's document. */
export class NotebookDocument implements IDocument {
  constructor(readonly panel: NotebookPanel) {}

  /** The cell models by id, as of the last cellIds(). */
  private _byId = new Map<string, ICellModel>();

  get path(): string {
    return this.panel.context.path;
  }

  kernelId(): string | undefined {
    return this.panel.sessionContext.session?.kernel?.id;
  }

  cellIds(): string[] {
    const cells = this.panel.model?.cells;
    const ids: string[] = [];
    this._byId.clear();
    if (cells) {
      for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        ids.push(cell.id);
        this._byId.set(cell.id, cell);
      }
    }
    return ids;
  }

  cellJSON(id: string): unknown {
    let cell = this._byId.get(id);
    if (!cell || cell.isDisposed) {
      this.cellIds(); // cells changed since the ids were read
      cell = this._byId.get(id);
    }
    return cell ? slimCell(cell.toJSON()) : null;
  }

  metadata(): { [key: string]: unknown } {
    return (this.panel.model?.metadata ?? {}) as { [key: string]: unknown };
  }

  format(): { nbformat: number; nbformat_minor: number } {
    const model = this.panel.model;
    return { nbformat: model?.nbformat ?? 4, nbformat_minor: model?.nbformatMinor ?? 5 };
  }

  getStore(): unknown {
    return this.panel.model?.getMetadata(METADATA_KEY);
  }

  setStore(value: unknown): void {
    const model = this.panel.model;
    if (!model) {
      throw new Error('the notebook is not loaded yet');
    }
    if (value === undefined) {
      model.deleteMetadata(METADATA_KEY);
    } else {
      model.setMetadata(METADATA_KEY, value as any);
    }
  }
}

/**
 * Tell `model` about every change of the panel's notebook: a cell's content, execution count or
 * metadata (by cell id), cells added, removed or moved, the notebook's metadata.
 * Returns a function that stops following.
 */
export function followChanges(panel: NotebookPanel, model: SidebarModel): () => void {
  const notebook = panel.model;
  if (!notebook) {
    return () => undefined;
  }
  const followed = new Map<ICellModel, () => void>();
  const onCell = (cell: ICellModel) => model.cellChanged(cell.id);
  const onState = (cell: ICellModel, change: { name: string }) => {
    if (change.name === 'executionCount') {
      model.cellChanged(cell.id);
    }
  };
  const follow = (cell: ICellModel) => {
    if (followed.has(cell)) {
      return;
    }
    const onMeta = () => model.cellChanged(cell.id);
    cell.contentChanged.connect(onCell);
    cell.stateChanged.connect(onState);
    cell.metadataChanged.connect(onMeta);
    followed.set(cell, () => {
      cell.contentChanged.disconnect(onCell);
      cell.stateChanged.disconnect(onState);
      cell.metadataChanged.disconnect(onMeta);
    });
  };
  const onCells = () => {
    const present = new Set<ICellModel>();
    for (let i = 0; i < notebook.cells.length; i++) {
      const cell = notebook.cells.get(i);
      present.add(cell);
      follow(cell);
    }
    for (const [cell, stop] of followed) {
      if (!present.has(cell)) {
        stop();
        followed.delete(cell);
      }
    }
    model.cellsMoved();
  };
  const onMetadata = () => model.metadataChanged();
  for (let i = 0; i < notebook.cells.length; i++) {
    follow(notebook.cells.get(i));
  }
  notebook.cells.changed.connect(onCells);
  notebook.metadataChanged.connect(onMetadata);
  return () => {
    notebook.cells.changed.disconnect(onCells);
    notebook.metadataChanged.disconnect(onMetadata);
    for (const stop of followed.values()) {
      stop();
    }
    followed.clear();
  };
}

/** The cell that sent the execute request `msgId`, when this notebook sent it. */
function cellOfRequest(panel: NotebookPanel, msgId: string | undefined): Cell | null {
  if (!msgId) {
    return null;
  }
  for (const cell of panel.content.widgets) {
    if (cell instanceof CodeCell) {
      const future = cell.outputArea.future;
      if (future && !future.isDisposed && future.msg.header.msg_id === msgId) {
        return cell;
      }
    }
  }
  return null;
}

/**
 * Follow the notebook's kernel messages and upsert every record a `%wellml` magic displays.
 * Messages answering another client's request are recorded too: the records are the kernel's,
 * and upserting them twice changes nothing.
 */
export function captureRecords(
  panel: NotebookPanel,
  onError: (error: unknown) => void
): () => void {
  const doc = new NotebookDocument(panel);
  const handler = (_: unknown, msg: KernelMessage.IMessage): void => {
    const type = msg.header.msg_type;
    if (type !== 'display_data' && type !== 'execute_result' && type !== 'update_display_data') {
      return;
    }
    const data = (msg as KernelMessage.IDisplayDataMsg).content?.data;
    if (!data || !(RECORD_MIME in data)) {
      return;
    }
    const records = payloadRecords(data[RECORD_MIME]);
    if (!records || records.length === 0) {
      return;
    }
    const parent = msg.parent_header as Partial<KernelMessage.IHeader>;
    const cell = cellOfRequest(panel, parent?.msg_id);
    const withCell = records.map(record =>
      !record.cell_id && cell ? { ...record, cell_id: cell.model.id } : record
    );
    try {
      writeRecords(doc, withCell);
    } catch (error) {
      onError(error);
    }
  };
  panel.sessionContext.iopubMessage.connect(handler);
  return () => panel.sessionContext.iopubMessage.disconnect(handler);
}

/** Find a cell by id (preferred) or index. */
export function findCell(
  panel: NotebookPanel,
  cellId: string | null | undefined,
  index: number | null | undefined
): { cell: Cell; index: number } | null {
  const cells = panel.content.widgets;
  if (cellId) {
    const i = cells.findIndex(c => c.model.id === cellId);
    if (i >= 0) {
      return { cell: cells[i], index: i };
    }
  }
  if (typeof index === 'number' && index >= 0 && index < cells.length) {
    return { cell: cells[index], index };
  }
  return null;
}

/** Activate a cell, scroll it into view and select (highlight) a 1-based line of its source. */
export async function revealCell(
  panel: NotebookPanel,
  cellId: string | null | undefined,
  index: number | null | undefined,
  line?: number | null
): Promise<boolean> {
  const found = findCell(panel, cellId, index);
  if (!found) {
    return false;
  }
  const notebook = panel.content;
  notebook.deselectAll();
  notebook.activeCellIndex = found.index;
  await notebook.scrollToCell(found.cell, 'center');
  const cell = notebook.widgets[found.index] ?? found.cell;
  cell.addClass('jp-wellml-flash');
  window.setTimeout(() => cell.removeClass('jp-wellml-flash'), 1600);
  const editor = cell.editor;
  if (editor && typeof line === 'number' && line >= 1 && line <= editor.lineCount) {
    const text = editor.getLine(line - 1) ?? '';
    const start = { line: line - 1, column: 0 };
    editor.setSelection({ start, end: { line: line - 1, column: text.length } });
    editor.revealPosition(start);
  }
  return true;
}

/** A new code cell below the active one, holding `source`; it becomes the active cell. */
export function insertCellBelow(panel: NotebookPanel, source: string): void {
  const notebook = panel.content;
  NotebookActions.insertBelow(notebook);
  const cell = notebook.activeCell;
  if (cell) {
    cell.model.sharedModel.setSource(source);
  }
}
