/**
 * The sidebar's model against real jupyter servers (test/server.mjs): incremental requests,
 * the fallback to whole notebooks, scheduling, views that never write, records and undo.
 * The document is an nbformat notebook held in memory, edited as the panel's signals would
 * report it.
 */
import { describe, expect, it } from 'vitest';

import type { IReview } from '../src/types';
import { MemoryDocument, SHAP, TRAIN, after, fullReview, open, settled, started } from './helpers';

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
