/**
 * The sidebar's model against real jupyter servers (test/server.mjs): incremental requests,
 * the fallback to whole notebooks, scheduling, views that never write, records and undo.
 * The document is an nbformat notebook held in memory, edited as the panel's signals would
 * report it.
 */
import { describe, expect, inject, it } from 'vitest';

import type { ITransport } from '../src/api';
import { IDocument, SidebarModel } from '../src/model';
import type { IReview } from '../src/types';

declare module 'vitest' {
  export interface ProvidedContext {
    server: { url: string; token: string };
    forgetful: { url: string; token: string };
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

const TRAIN =
  'from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression().fit(X, y)';
const SHAP = 'import shap\nexplainer = shap.Explainer(model)';

/** An nbformat notebook in memory that tells the model what changed, as the panel does. */
class MemoryDocument implements IDocument {
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

function code(id: string, source: string): ICell {
  return { id, cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null };
}

/** Node's fetch to a real server, with its token; the bodies sent are kept for the asserts. */
function transport(which: 'server' | 'forgetful', sent: string[] = []): ITransport {
  const { url, token } = inject(which);
  return {
    baseUrl: url,
    fetch: (u, init) => {
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
async function fullReview(doc: MemoryDocument, query = ''): Promise<IReview> {
  const { url, token } = inject('server');
  const r = await fetch(`${url}api/wellml/review?path=${doc.path}${query}`, {
    method: 'POST',
    headers: { Authorization: `token ${token}` },
    body: JSON.stringify({ notebook: doc.notebook() })
  });
  expect(r.status).toBe(200);
  return (await r.json()) as IReview;
}

async function started(which: 'server' | 'forgetful' = 'server', sent: string[] = []) {
  const model = new SidebarModel({ transport: transport(which, sent), debounce: 150 });
  await model.start('test');
  return model;
}

/** Wait until the model shows an answer to the newest request. */
async function settled(model: SidebarModel, after = 0): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(model.renderedSeq > after && model.renderedSeq === model.seq)) {
    if (Date.now() > deadline) {
      throw new Error(`no review after #${after} (asked ${model.seq}, shown ${model.renderedSeq})`);
    }
    await new Promise(r => setTimeout(r, 10));
  }
}

/** Do `action`, then wait for the review it causes to be shown. */
async function after(model: SidebarModel, action: () => unknown): Promise<void> {
  const seq = model.seq;
  action();
  await settled(model, seq);
}

function open(model: SidebarModel, doc: MemoryDocument): void {
  doc.model = model;
  model.setDocument(doc);
}

const verdictOf = (review: IReview) => review.verdict.practices.map(p => [p.id, p.state, p.basis]);

describe('incremental reviews', () => {
  it('sends the whole notebook first, then only the cells that changed', async () => {
    const model = await started();
    const doc = new MemoryDocument('inc.ipynb', ['import pandas as pd', TRAIN, 'print(1)']);
    open(model, doc);
    await settled(model);
    expect(model.requests.at(-1)).toMatchObject({ incremental: false, cells: 3 });

    const seq = model.seq;
    doc.edit(2, SHAP);
    await settled(model, seq);
    const last = model.requests.at(-1)!;
    expect(last).toMatchObject({ incremental: true, cells: 1 });
    expect(last.query.base).toMatch(/^[0-9a-f]{64}$/);
    // the same review as the whole notebook's
    const whole = await fullReview(doc);
    expect(verdictOf(model.review!)).toEqual(verdictOf(whole));
    expect(model.review!.verdict.counts).toEqual(whole.verdict.counts);
    expect(model.review!.facts.explainability.map(f => f.cell)).toEqual([2]); // the edit was read

    // a cell added in front: the new cell and the new order, nothing else
    const seq2 = model.seq;
    doc.insert(0, '# a title cell\nimport numpy as np');
    await settled(model, seq2);
    const moved = model.requests.at(-1)!;
    expect(moved).toMatchObject({ incremental: true, cells: 1 });
    expect(verdictOf(model.review!)).toEqual(verdictOf(await fullReview(doc)));
    expect(model.review!.facts.explainability[0].cell).toBe(3);
    model.dispose();
  });

  it('sends the notebook whole again when the server no longer holds it (409)', async () => {
    const sent: string[] = [];
    const model = await started('forgetful', sent);
    const doc = new MemoryDocument('forget.ipynb', ['import pandas as pd', 'x = 1']);
    open(model, doc);
    await settled(model);
    const seq = model.seq;
    doc.edit(1, TRAIN);
    await settled(model, seq);
    const [delta, whole] = model.requests.slice(-2);
    expect(delta).toMatchObject({ seq: seq + 1, incremental: true, cells: 1 });
    expect(whole).toMatchObject({ seq: seq + 1, incremental: false, cells: 2 });
    expect(JSON.parse(sent.at(-1)!).notebook.cells[1].source).toBe(TRAIN);
    expect(model.error).toBeNull();
    expect(model.review!.phase.id).toBe('model_development');
    model.dispose();
  });
});

describe('scheduling', () => {
  it('reviews an edit after a quiet moment at once, and edits in quick succession once', async () => {
    const model = await started();
    model.debounce = 1000; // long, so a busy machine cannot stretch edits past it
    const doc = new MemoryDocument('timing.ipynb', ['import pandas as pd']);
    open(model, doc);
    await settled(model);
    await new Promise(r => setTimeout(r, 1100)); // quiet for longer than the debounce
    const before = model.requests.length;
    const t0 = Date.now();
    const seq = model.seq;
    doc.edit(0, 'import pandas as pd\nimport numpy');
    while (model.requests.length === before && Date.now() - t0 < 900) {
      await new Promise(r => setTimeout(r, 5));
    }
    expect(model.requests.length).toBe(before + 1); // sent at once, not after the debounce
    expect(Date.now() - t0).toBeLessThan(500);
    await settled(model, seq);
    // five edits 20 ms apart right after a request: one review, after the debounce
    const asked = model.requests.length;
    const t1 = Date.now();
    for (let i = 0; i < 5; i++) {
      doc.edit(0, `import pandas as pd\n# ${i}`);
      await new Promise(r => setTimeout(r, 20));
    }
    if (Date.now() - t1 < 900) {
      expect(model.requests.length).toBe(asked);
    }
    await new Promise(r => setTimeout(r, 1200));
    await settled(model, 0);
    expect(model.requests.length).toBe(asked + 1);
    expect(model.requests.at(-1)!.incremental).toBe(true);
    expect(doc.cellJSON(doc.cells[0].id)).toMatchObject({ source: 'import pandas as pd\n# 4' });
    model.dispose();
  });

  it('never shows an answer older than the one shown', async () => {
    const model = await started();
    const doc = new MemoryDocument('order.ipynb', [TRAIN]);
    open(model, doc);
    await settled(model);
    const shown: number[] = [];
    model.onChange(what => {
      if (what === 'state' && model.review) {
        shown.push(model.renderedSeq);
      }
    });
    const asks = [];
    for (let i = 0; i < 6; i++) {
      doc.cells[0].source = `${TRAIN}\n# ${i}`;
      model.cellChanged(doc.cells[0].id);
      asks.push(model.reviewNow());
    }
    await Promise.all(asks);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(model.renderedSeq).toBe(model.seq);
    model.dispose();
  });
});

describe('views never write, records are undoable', () => {
  it('views every phase without touching metadata.wellml', async () => {
    const model = await started();
    const doc = new MemoryDocument('phases.ipynb', [TRAIN]);
    open(model, doc);
    await settled(model);
    const before = JSON.stringify(doc.meta);
    expect(model.review!.phase).toMatchObject({ id: 'model_development', source: 'inferred' });
    for (const phase of model.lens!.phases) {
      const seq = model.seq;
      model.setViewPhase(phase.id);
      await settled(model, seq);
      expect(model.requests.at(-1)!.query.phase).toBe(phase.id);
      expect(model.review!.phase).toMatchObject({ id: phase.id, source: 'requested' });
      expect(model.ownPhase).toMatchObject({ id: 'model_development', source: 'inferred' });
    }
    await after(model, () => model.setViewPhase(null));
    expect(JSON.stringify(doc.meta)).toBe(before);
    expect(doc.writes).toBe(0);
    model.dispose();
  });

  it('records the viewed phase on request, and undo puts the metadata back exactly', async () => {
    const model = await started();
    const doc = new MemoryDocument('record.ipynb', [TRAIN]);
    doc.meta.wellml = { version: 1, records: [], team: { keep: true } };
    open(model, doc);
    await settled(model);
    const before = JSON.stringify(doc.meta);
    await after(model, () => model.setViewPhase('deployment'));
    let recorded = '';
    await after(model, () => (recorded = model.recordPhase()));
    expect(recorded).toBe('deployment');
    const store = doc.meta.wellml as any;
    expect(store.records).toHaveLength(1);
    expect(store.records[0]).toMatchObject({ kind: 'phase', phase: 'deployment' });
    expect(store.team).toEqual({ keep: true });
    expect(model.undoable).toBe('recording the phase deployment');
    expect(model.review!.phase).toMatchObject({ id: 'deployment', source: 'recorded' });
    await after(model, () => model.undo());
    expect(JSON.stringify(doc.meta)).toBe(before);
    expect(model.undoable).toBeNull();
    expect(model.review!.phase.source).toBe('inferred');
    // an undo after someone else changed the records would lose their change: refused
    model.setViewPhase('monitoring');
    model.recordPhase();
    (doc.meta.wellml as any).records.push({ note: 'someone else' });
    expect(() => model.undo()).toThrow(/the records changed since/);
    model.dispose();
  });

  it('removes a waiver and an attestation, keeping the records and their history', async () => {
    const model = await started();
    const doc = new MemoryDocument('waive.ipynb', [TRAIN]);
    open(model, doc);
    await settled(model);
    const gap = model.review!.verdict.practices.find(p => p.state === 'gap')!;
    const asked = model.review!.verdict.practices.find(p => p.state === 'to_answer')!;
    await after(model, () => {
      model.waive(gap.id, 'business_priorities', 'prototype only');
      model.attest(asked.id, 'written in README, section Team');
    });
    const state = (id: string) => model.review!.verdict.practices.find(p => p.id === id)!;
    expect(state(gap.id).state).toBe('waived');
    expect(state(asked.id)).toMatchObject({ state: 'met', basis: 'attested' });
    expect(model.review!.verdict.counts.waived).toBe(1);

    await after(model, () => {
      model.remove('waiver', gap.id);
      model.remove('attest', asked.id);
    });
    expect(state(gap.id).state).toBe('gap');
    expect(state(asked.id).state).toBe('to_answer');
    const records = (doc.meta.wellml as any).records;
    expect(records).toHaveLength(2); // kept, not deleted
    for (const r of records) {
      expect(r.removed).toBe(r.updated);
      expect(r.history.at(-1).values).toEqual({ removed: null });
    }
    expect(records[0]).toMatchObject({ reason: 'business_priorities', note: 'prototype only' });
    model.dispose();
  });

  it('announces each new review with its gaps and how many are new', async () => {
    const model = await started();
    const doc = new MemoryDocument('live.ipynb', ['import pandas as pd']);
    open(model, doc);
    await settled(model);
    const first = model.review!.verdict.counts.gap;
    expect(model.announcement).toBe(
      `review updated: ${first} ${first === 1 ? 'gap' : 'gaps'}, 0 new`
    );
    const seq = model.seq;
    doc.edit(0, TRAIN);
    await settled(model, seq);
    const gaps = model.review!.verdict.counts.gap;
    expect(gaps).toBeGreaterThan(first);
    expect(model.announcement).toMatch(new RegExp(`^review updated: ${gaps} gaps, [1-9]\\d* new$`));
    model.dispose();
  });
});
