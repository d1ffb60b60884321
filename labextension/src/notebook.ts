/**
 * What the sidebar does to a notebook: write records into metadata.wellml, capture records that
 * `%wellml` magics display, jump to evidence, insert a magic cell.
 */
import { Cell, CodeCell } from '@jupyterlab/cells';
import { NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { KernelMessage } from '@jupyterlab/services';

import {
  METADATA_KEY,
  RECORD_MIME,
  payloadRecords,
  recordProblem,
  storeFrom,
  upsert
} from './records';
import { IRecord } from './types';

/**
 * Upsert `records` into metadata.wellml of the notebook (one metadata write; other keys kept).
 * Returns how many records were added or changed.
 */
export function writeRecords(panel: NotebookPanel, records: IRecord[]): number {
  const model = panel.model;
  if (!model) {
    throw new Error('the notebook is not loaded yet');
  }
  for (const record of records) {
    const problem = recordProblem(record);
    if (problem) {
      throw new Error(`${problem}; metadata.${METADATA_KEY} was not changed`);
    }
  }
  const store = storeFrom(model.getMetadata(METADATA_KEY));
  let changed = 0;
  for (const record of records) {
    if (upsert(store, record) !== 'unchanged') {
      changed++;
    }
  }
  if (changed) {
    model.setMetadata(METADATA_KEY, store as any);
  }
  return changed;
}

/** The stored records of the notebook's metadata (a copy). */
export function storedRecords(panel: NotebookPanel): IRecord[] {
  try {
    return (storeFrom(panel.model?.getMetadata(METADATA_KEY)).records ?? []) as IRecord[];
  } catch {
    return [];
  }
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
      writeRecords(panel, withCell);
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
