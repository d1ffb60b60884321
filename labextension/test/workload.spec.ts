/**
 * The model in a workload, against a real jupyter server (test/server.mjs): the workload status
 * of a practice beside the notebook's, the evidence naming the other notebook, the gaps in the
 * order of `jupyter wellml plan`, the workload asked when a notebook opens and after a save (not
 * on edits), and nothing of the kind for a notebook of no workload.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, inject, it } from 'vitest';

import { SidebarModel } from '../src/model';
import type { IReview, IVerdictPractice } from '../src/types';
import { MemoryDocument, code, open, settled, started } from './helpers';

const IRIS =
  'from sklearn.datasets import load_iris\n' +
  'from sklearn.linear_model import LogisticRegression\n' +
  'X, y = load_iris(return_X_y=True)\n' +
  'model = LogisticRegression(max_iter=200).fit(X, y)';
/** Runs tracked with mlflow and a seed: what the training notebook lacks. */
const TRACKED =
  'import mlflow\nmlflow.sklearn.autolog()\n' +
  IRIS.replace('max_iter=200', 'max_iter=200, random_state=0');
const EXPLAINED = 'import shap\nexplainer = shap.Explainer(model)\nshap_values = explainer(X)';
const TRAIN_CELLS = [IRIS];
const PIPELINE_CELLS = ['import numpy as np', TRACKED, EXPLAINED];

/** Write a notebook of `sources` at `rel` under the server's root. */
function writeNotebook(rel: string, sources: string[]): void {
  const file = path.join(inject('root'), rel);
  mkdirSync(path.dirname(file), { recursive: true });
  const nb = {
    cells: sources.map((s, i) => code(`cell-${i}`, s)),
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 5
  };
  writeFileSync(file, JSON.stringify(nb));
}

/** A workload folder: a wellml-workload.yaml, train.ipynb and pipeline.ipynb. */
function makeWorkload(config = 'name: Iris pipeline\n'): string {
  const folder = `wl-${Math.random().toString(36).slice(2, 8)}`;
  writeNotebook(`${folder}/train.ipynb`, TRAIN_CELLS);
  writeNotebook(`${folder}/pipeline.ipynb`, PIPELINE_CELLS);
  writeFileSync(path.join(inject('root'), folder, 'wellml-workload.yaml'), config);
  return folder;
}

/** The review of a saved notebook, straight from the server. */
async function savedReview(rel: string): Promise<IReview> {
  const { url, token } = inject('server');
  const r = await fetch(`${url}api/wellml/review?path=${encodeURIComponent(rel)}`, {
    headers: { Authorization: `token ${token}` }
  });
  expect(r.status).toBe(200);
  return (await r.json()) as IReview;
}

/** `jupyter wellml plan DIR --format json`: the ids in the plan's order. */
function planOrder(folder: string): string[] {
  const done = spawnSync(
    inject('python'),
    ['-m', 'jupyter_wellml', 'plan', path.join(inject('root'), folder), '--format', 'json'],
    { encoding: 'utf8', timeout: 120_000 }
  );
  expect(done.status, done.stderr).toBe(0);
  return (JSON.parse(done.stdout).items as { id: string }[]).map(i => i.id);
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise(r => setTimeout(r, 10));
  }
}

const asked = (urls: string[]) => urls.filter(u => u.startsWith('GET api/wellml/workload')).length;

async function opened(rel: string, sources: string[], urls: string[]) {
  const model = await started('server', [], urls);
  const doc = new MemoryDocument(rel, sources);
  open(model, doc);
  await settled(model);
  return { model, doc };
}

const gapIds = (model: SidebarModel) =>
  model
    .shown()
    .filter(e => e.state === 'gap')
    .map(e => e.id);

describe('a notebook of a workload', () => {
  it('shows the workload status beside the notebook status, naming the other notebook', async () => {
    const folder = makeWorkload();
    const urls: string[] = [];
    const { model } = await opened(`${folder}/train.ipynb`, TRAIN_CELLS, urls);
    await until('the workload', () => model.workload !== null);
    expect(model.workload!.workload).toMatchObject({ name: 'Iris pipeline', root: folder });
    expect(model.workload!.notebook).toBe('train.ipynb');
    expect(model.workloadError).toBeNull();

    // the oracle: each notebook's own saved review
    const pipeline = await savedReview(`${folder}/pipeline.ipynb`);
    const metThere = new Map(
      pipeline.practices.filter(p => p.status === 'met').map(p => [p.id, p])
    );
    const here = model.review!.verdict.practices;
    const gapHereMetThere = here.filter(e => e.state === 'gap' && metThere.has(e.id));
    expect(gapHereMetThere.length).toBeGreaterThan(0); // tracking and seeds: MLOPS03-BP02
    for (const entry of gapHereMetThere) {
      const met = metThere.get(entry.id)!.evidence.find(e => e.effect === 'met')!;
      expect(model.workloadNote(entry)).toEqual({
        here: 'gap',
        workload: 'met',
        link: {
          path: `${folder}/pipeline.ipynb`,
          notebook: 'pipeline.ipynb',
          cell: met.cell,
          cellId: met.cell_id,
          line: met.line,
          message: met.message
        }
      });
    }
    // a practice in the same state in both notebooks has no workload note
    const pipelineState = new Map(pipeline.verdict.practices.map(e => [e.id, e.state]));
    const same = here.filter(e => e.state === 'gap' && pipelineState.get(e.id) === 'gap');
    expect(same.length).toBeGreaterThan(0);
    for (const entry of same) {
      expect(model.workloadNote(entry)).toBeNull();
    }
    model.dispose();
  });

  it('orders the gaps as `jupyter wellml plan` does, those the workload closed last', async () => {
    const folder = makeWorkload();
    const { model } = await opened(`${folder}/train.ipynb`, TRAIN_CELLS, []);
    const verdictOrder = gapIds(model);
    await until('the workload', () => model.workload !== null);
    const plan = planOrder(folder);
    expect(model.workload!.next_steps).toEqual(plan);
    const mine = new Set(verdictOrder);
    const expected = [
      ...plan.filter(id => mine.has(id)),
      ...verdictOrder.filter(id => !plan.includes(id))
    ];
    expect(gapIds(model)).toEqual(expected);
    // the plan's order is not the single notebook's: the test would see a verdict-ordered panel
    expect(expected).not.toEqual(verdictOrder);
    // questions follow the plan too
    const questions = model
      .shown()
      .filter(e => e.state === 'to_answer')
      .map(e => e.id);
    const planned = questions.filter(id => plan.includes(id));
    expect(planned).toEqual(plan.filter(id => questions.includes(id)));
    model.filter = 'gaps';
    expect(model.shown().map(e => e.id)).toEqual(expected);
    model.dispose();
  });

  it('asks for the workload when the notebook opens and after a save, not on edits', async () => {
    const folder = makeWorkload();
    const urls: string[] = [];
    const { model, doc } = await opened(`${folder}/train.ipynb`, TRAIN_CELLS, urls);
    await until('the workload', () => model.workload !== null);
    expect(asked(urls)).toBe(1);
    const tracked = model.review!.verdict.practices.find(
      e => e.state === 'gap' && model.workloadNote(e)?.workload === 'met'
    ) as IVerdictPractice;
    expect(tracked).toBeDefined();
    for (let i = 0; i < 3; i++) {
      const seq = model.seq;
      doc.edit(0, `${IRIS}\n# edit ${i}`);
      await settled(model, seq);
    }
    expect(asked(urls)).toBe(1);
    // the pipeline loses its tracking cell and is saved; this notebook is saved: asked again
    writeNotebook(`${folder}/pipeline.ipynb`, ['import numpy as np', IRIS, EXPLAINED]);
    const before = model.workload;
    model.saved();
    await until('a new workload answer', () => model.workload !== before);
    expect(asked(urls)).toBe(2);
    expect(model.workloadNote(tracked)).toBeNull(); // a gap in both notebooks now
    model.dispose();
  });

  it('says why a broken workload file shows no workload', async () => {
    const folder = makeWorkload('name: Iris\nenvironment: PROD\n');
    const { model } = await opened(`${folder}/train.ipynb`, TRAIN_CELLS, []);
    await until('the workload error', () => model.workloadError !== null);
    expect(model.workloadError).toMatch(/wellml-workload\.yaml:2: \/environment/);
    expect(model.workload).toBeNull();
    model.dispose();
  });
});

describe('a notebook of no workload', () => {
  it('has no workload status, and the verdict order', async () => {
    writeNotebook('alone.ipynb', TRAIN_CELLS);
    const urls: string[] = [];
    const { model } = await opened('alone.ipynb', TRAIN_CELLS, urls);
    await until('the workload asked', () => asked(urls) === 1);
    await model.refreshWorkload(); // and answered
    expect(model.workload).toBeNull();
    expect(model.workloadError).toBeNull();
    const entries = model.review!.verdict.practices;
    expect(entries.every(e => model.workloadNote(e) === null)).toBe(true);
    expect(model.shown()).toEqual(entries);
    model.dispose();
  });
});
