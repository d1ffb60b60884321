/**
 * What the model's tests share: real jupyter servers (test/server.mjs), an nbformat notebook in
 * memory that tells the model what changed as the panel's signals would, and waiting helpers.
 */
import { expect, inject } from 'vitest';

import type { ITransport } from '../src/api';
import { IDocument, SidebarModel } from '../src/model';
import type { IReview } from '../src/types';

declare module 'vitest' {
  export interface ProvidedContext {
    server: { url: string; token: string };
    forgetful: { url: string; token: string };
    /** The main server's root folder, and the Python it runs (for the CLI). */
    root: string;
    python: string;
  }
}

interface ICell {
  id: string;
  cell_type: 'code' | 'markdown';
  source: string;
  metadata: object;
  outputs?: unknown[];
  execution_count?: number | null;
}

export const TRAIN =
  'from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression().fit(X, y)';
export const SHAP = 'import shap\nexplainer = shap.Explainer(model)';

/** An nbformat notebook in memory that tells the model what changed, as the panel does. */
export class MemoryDocument implements IDocument {
  constructor(
    readonly path: string,
    sources: string[]
  ) {
    this.cells = sources.map((source, i) =>
      code(`c${i}-${Math.random().toString(36).slice(2, 8)}`, source)
    );
  }

  cells: ICell[];
  meta: { [key: string]: unknown } = {
    kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }
  };
  writes = 0;
  model: SidebarModel | null = null;

  kernelId(): string | undefined {
    return undefined;
  }
  cellIds(): string[] {
    return this.cells.map(c => c.id);
  }
  cellJSON(id: string): unknown {
    return JSON.parse(JSON.stringify(this.cells.find(c => c.id === id)));
  }
  metadata(): { [key: string]: unknown } {
    return JSON.parse(JSON.stringify(this.meta));
  }
  format() {
    return { nbformat: 4, nbformat_minor: 5 };
  }
  getStore(): unknown {
    return this.meta.wellml;
  }
  setStore(value: unknown): void {
    this.writes++;
    if (value === undefined) {
      delete this.meta.wellml;
    } else {
      this.meta.wellml = JSON.parse(JSON.stringify(value));
    }
    this.model?.metadataChanged();
  }

  edit(index: number, source: string): void {
    this.cells[index].source = source;
    this.model?.cellChanged(this.cells[index].id);
  }
  insert(index: number, source: string): ICell {
    const cell = code(`n${Math.random().toString(36).slice(2, 10)}`, source);
    this.cells.splice(index, 0, cell);
    this.model?.cellsMoved();
    return cell;
  }
  notebook(): object {
    return { cells: this.cells, metadata: this.meta, nbformat: 4, nbformat_minor: 5 };
  }
}

export function code(id: string, source: string): ICell {
  return { id, cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null };
}

/** Node's fetch to a real server, with its token; the bodies sent are kept for the asserts. */
export function transport(
  which: 'server' | 'forgetful',
  sent: string[] = [],
  urls: string[] = []
): ITransport {
  const { url, token } = inject(which);
  return {
    baseUrl: url,
    fetch: (u, init) => {
      urls.push(`${init.method ?? 'GET'} ${u.slice(url.length)}`);
      if (init.method === 'POST') {
        sent.push(String(init.body));
      }
      return fetch(u, {
        ...init,
        headers: { ...(init.headers as object), Authorization: `token ${token}` }
      });
    }
  };
}

/** A whole-notebook review straight from the server, to compare with. */
export async function fullReview(doc: MemoryDocument, query = ''): Promise<IReview> {
  const { url, token } = inject('server');
  const r = await fetch(`${url}api/wellml/review?path=${doc.path}${query}`, {
    method: 'POST',
    headers: { Authorization: `token ${token}` },
    body: JSON.stringify({ notebook: doc.notebook() })
  });
  expect(r.status).toBe(200);
  return (await r.json()) as IReview;
}

export async function started(
  which: 'server' | 'forgetful' = 'server',
  sent: string[] = [],
  urls: string[] = []
) {
  const model = new SidebarModel({ transport: transport(which, sent, urls), debounce: 150 });
  await model.start('test');
  return model;
}

/** Wait until the model shows an answer to the newest request. */
export async function settled(model: SidebarModel, after = 0): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(model.renderedSeq > after && model.renderedSeq === model.seq)) {
    if (Date.now() > deadline) {
      throw new Error(`no review after #${after} (asked ${model.seq}, shown ${model.renderedSeq})`);
    }
    await new Promise(r => setTimeout(r, 10));
  }
}

/** Do `action`, then wait for the review it causes to be shown. */
export async function after(model: SidebarModel, action: () => unknown): Promise<void> {
  const seq = model.seq;
  action();
  await settled(model, seq);
}

export function open(model: SidebarModel, doc: MemoryDocument): void {
  doc.model = model;
  model.setDocument(doc);
}
