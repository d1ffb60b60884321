/**
 * The sidebar's model: what the panel shows and everything it asks of the server or writes into
 * the notebook. No DOM and no JupyterLab imports, so it is unit-tested in Node (test/*.spec.ts)
 * against a real jupyter server.
 *
 * - state: the lens, the review of the open notebook (with the server's verdict), the phase being
 *   viewed, the filter, what is expanded;
 * - REST calls: POST /api/wellml/review with path, phase and kernel_id as query parameters; after
 *   the first review of a document only the cells that changed (by id) are sent against the
 *   notebook the server answered before, and the whole notebook again when the server answers
 *   409 (it no longer holds it);
 * - scheduling: an edit after a quiet moment is reviewed at once, edits in quick succession wait
 *   for the debounce; only answers newer than the one shown are shown;
 * - records: waivers, attestations and the phase are written into metadata.wellml with the
 *   shared upsert rules (records.ts); removing keeps the record and its history; the last write
 *   can be undone;
 * - the workload: GET /api/wellml/workload when a notebook is opened (after its first review) and
 *   after each save (the workload is made of saved notebooks): the workload status of each
 *   practice beside the notebook's, and the server's order of what to do next for the gaps and
 *   the questions (the order of `jupyter wellml plan`).
 */
import {
  ITransport,
  WellMLRequestError,
  fetchInfo,
  fetchLens,
  getSavedReview,
  getWorkload,
  postReview
} from './api';
import { METADATA_KEY, makeRecord, newId, now, recordProblem, storeFrom, upsert } from './records';
import type {
  IInfo,
  ILens,
  IRecord,
  IReview,
  IVerdictPractice,
  IWorkloadStatus,
  State
} from './types';

/** The notebook as the model sees it: cells by id, metadata, and metadata.wellml to write. */
export interface IDocument {
  readonly path: string;
  /** The running kernel's id, if any. */
  kernelId(): string | undefined;
  /** Every cell id, in order. */
  cellIds(): string[];
  /** One cell as nbformat JSON (what the review reads; raster images may be left out). */
  cellJSON(id: string): unknown;
  /** The notebook's metadata as JSON. */
  metadata(): { [key: string]: unknown };
  /** nbformat and nbformat_minor. */
  format(): { nbformat: number; nbformat_minor: number };
  /** metadata.wellml as stored (undefined when absent). */
  getStore(): unknown;
  /** Replace metadata.wellml; undefined removes the key. */
  setStore(value: unknown): void;
}

export type Filter = 'gaps' | 'to_answer' | 'all';

/**
 * A practice's state, coarse enough to compare the notebook with the workload: `open` is
 * "to answer" or "unknown" (nothing shows it either way).
 */
export type Standing = 'met' | 'gap' | 'open' | 'waived' | 'out_of_phase';

/** Where the workload's status of a practice comes from: a notebook, a cell, a line. */
export interface IWorkloadLink {
  /** The notebook's path on the server (what docmanager opens). */
  path: string;
  /** Its path in the workload folder (what the panel names). */
  notebook: string;
  cell: number | null;
  cellId: string | null;
  line: number | null;
  message: string;
}

/** The workload status of a practice, when it differs from the notebook's own. */
export interface IWorkloadNote {
  here: Standing;
  workload: Standing;
  /** The first evidence of the workload status, from another notebook when there is one. */
  link: IWorkloadLink | null;
}

const VERDICT_STANDING: { [s in State]: Standing } = {
  gap: 'gap',
  to_answer: 'open',
  met: 'met',
  unknown: 'open',
  waived: 'waived',
  out_of_phase: 'out_of_phase'
};

/** The standing of a practice of the workload answer (status and reason). */
export function workloadStanding(p: { status: string; reason: string }): Standing {
  if (p.status === 'met' || p.status === 'gap') {
    return p.status;
  }
  if (p.status === 'not_applicable') {
    return p.reason === 'waived' ? 'waived' : 'out_of_phase';
  }
  return 'open';
}

export interface IModelOptions {
  transport: ITransport;
  /** The author written into records (a person's name; null when unknown). */
  author?: () => string | null;
  /** Milliseconds between edits in quick succession and their review (default 150). */
  debounce?: number;
}

interface IAcked {
  seq: number;
  digest: string;
  versions: Map<string, number>;
  order: string[];
  meta: number;
}

interface IDelta {
  base: string;
  body: string;
  cells: number;
}

interface IUndo {
  label: string;
  before: unknown;
  after: string;
}

/** A request the model made, for the tests and the benchmark (body size, incremental or not). */
export interface IRequestLog {
  seq: number;
  incremental: boolean;
  bytes: number;
  cells: number;
  query: { [key: string]: string | undefined };
}

/**
 * Upsert `records` into metadata.wellml of `doc` (one write; other keys kept); returns how many
 * were added or changed. A record that breaks record.v1 changes nothing.
 */
export function writeRecords(doc: IDocument, records: IRecord[]): number {
  for (const record of records) {
    const problem = recordProblem(record);
    if (problem) {
      throw new Error(`${problem}; metadata.${METADATA_KEY} was not changed`);
    }
  }
  const store = storeFrom(doc.getStore());
  let changed = 0;
  for (const record of records) {
    if (upsert(store, record) !== 'unchanged') {
      changed++;
    }
  }
  if (changed) {
    doc.setStore(store);
  }
  return changed;
}

const clone = <T>(value: T): T =>
  value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);

export class SidebarModel {
  constructor(private _opts: IModelOptions) {
    this.debounce = _opts.debounce ?? 150;
  }

  // ------------------------------------------------------------------ state
  debounce: number;
  lens: ILens | null = null;
  info: IInfo | null = null;
  /** A problem that stops the panel (no server extension, no lens). */
  fatal: string | null = null;
  /** A problem worth a banner (versions differ). */
  warning: string | null = null;
  /** The last review failed: why (the last good review stays shown). */
  error: string | null = null;
  review: IReview | null = null;
  /** The notebook's own phase (recorded or inferred), from its last review not viewed as another. */
  ownPhase: IReview['phase'] | null = null;
  /** The phase being viewed instead of the notebook's own (never written). */
  viewPhase: string | null = null;
  filter: Filter = 'all';
  /** Practices whose details are open. */
  expanded = new Set<string>();
  /** Folded groups that are open: `unknown:<pillar>`, `waived`, `out_of_phase`. */
  open = new Set<string>();
  /** "review updated: 3 gaps, 1 new", for the live region. */
  announcement = '';
  /** What the last write from the panel was, while it can be undone. */
  undoable: string | null = null;
  /** The workload the open notebook belongs to (null: none, or not known yet). */
  workload: IWorkloadStatus | null = null;
  /** Why the workload could not be read (a broken wellml-workload.yaml). */
  workloadError: string | null = null;
  /** The last requests (newest last, at most 50). */
  requests: IRequestLog[] = [];
  seq = 0;
  renderedSeq = 0;

  get document(): IDocument | null {
    return this._doc;
  }

  /**
   * Listen to changes of what the panel shows (`state`), and to reviews asked (`asked`: only
   * `seq` changed); returns a function that stops listening.
   */
  onChange(listener: (what: 'state' | 'asked') => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  /**
   * The verdict entries the filter lets through, in the verdict's order; in a workload the gaps
   * and the questions follow the workload's order of what to do next (next_steps, the order of
   * `jupyter wellml plan`), and those the workload no longer has open come after them.
   */
  shown(): IVerdictPractice[] {
    const entries = this.ordered();
    const wanted: { [f in Filter]: State[] | null } = {
      gaps: ['gap'],
      to_answer: ['to_answer'],
      all: null
    };
    const states = wanted[this.filter];
    return states ? entries.filter(e => states.includes(e.state)) : entries;
  }

  /** Every verdict entry, in the order of what to do next (see shown()). */
  ordered(): IVerdictPractice[] {
    const entries = this.review?.verdict.practices ?? [];
    const steps = this.workload?.next_steps;
    if (!steps) {
      return entries;
    }
    const rank = new Map(steps.map((id, i) => [id, i]));
    const first = new Map<State, number>();
    entries.forEach((e, i) => first.has(e.state) || first.set(e.state, i));
    // the verdict's groups stay where they are; within gaps and questions, the workload's order
    const key = (e: IVerdictPractice, i: number): [number, number, number] => [
      first.get(e.state)!,
      e.state === 'gap' || e.state === 'to_answer' ? (rank.get(e.id) ?? steps.length) : 0,
      i
    ];
    return entries
      .map((e, i) => ({ e, k: key(e, i) }))
      .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2])
      .map(x => x.e);
  }

  /**
   * The workload status of a practice when the notebook belongs to a workload and the two
   * differ ("gap here, met in the workload"); null otherwise.
   */
  workloadNote(entry: Pick<IVerdictPractice, 'id' | 'state'>): IWorkloadNote | null {
    const wl = this.workload;
    const p = wl?.practices[entry.id];
    if (!wl || !p) {
      return null;
    }
    const here = VERDICT_STANDING[entry.state];
    const workload = workloadStanding(p);
    if (here === workload) {
      return null;
    }
    const evidence = p.evidence.find(e => e.notebook !== wl.notebook) ?? p.evidence[0];
    const root = wl.workload.root === '.' ? '' : wl.workload.root;
    return {
      here,
      workload,
      link: evidence
        ? {
            path: root ? `${root}/${evidence.notebook}` : evidence.notebook,
            notebook: evidence.notebook,
            cell: evidence.cell,
            cellId: evidence.cell_id,
            line: evidence.line,
            message: evidence.message
          }
        : null
    };
  }

  /** The author records get: the person, never an anonymous id. */
  author(): string | null {
    return this._opts.author?.() ?? this.info?.user?.author ?? null;
  }

  // ------------------------------------------------------------------ start and documents
  /** Handshake with the server extension and load the lens. */
  async start(version: string): Promise<void> {
    try {
      this.info = await fetchInfo(this._opts.transport);
      if (this.info.version !== version) {
        this.warning =
          `The jupyter-wellml server extension is version ${this.info.version} but this ` +
          `sidebar is version ${version}; reinstall jupyter-wellml and restart JupyterLab.`;
      }
      this.lens = await fetchLens(this._opts.transport);
      this.fatal = null;
    } catch (error) {
      if (error instanceof WellMLRequestError && error.status === 404) {
        this.fatal =
          'The jupyter-wellml server extension is not running on this Jupyter server ' +
          '(GET /api/wellml/info answered 404). Enable it with "jupyter server extension ' +
          'enable jupyter_wellml" and restart the server.';
      } else {
        this.fatal = `Cannot load the lens: ${String((error as Error).message ?? error)}`;
      }
      this._emit();
      throw error;
    }
    this._emit();
    this.schedule(0);
  }

  /**
   * A notebook is being opened: show the review of its saved file as soon as the server has it,
   * while the notebook still loads (the review of the live notebook replaces it).
   */
  async preview(path: string): Promise<void> {
    this._previewPath = path;
    const review = await this.prefetch(path);
    if (!review) {
      return; // not saved yet, or not readable: the live review will tell
    }
    const doc = this._doc;
    if (
      this._previewPath !== path ||
      (doc && doc.path !== path) ||
      this.renderedSeq > this._docSeq
    ) {
      return; // another notebook, or the live review is already shown
    }
    this._preview = { path, review };
    this.review = review;
    this.ownPhase = review.phase;
    this._emit();
  }

  /** Ask for the saved file's review of `path` now (a notebook is being opened). */
  prefetch(path: string): Promise<IReview | null> {
    let found = this._prefetched.get(path);
    if (!found) {
      found = getSavedReview(this._opts.transport, path).catch(() => null);
      this._prefetched.set(path, found);
      // asked again at the next open: the file may have changed
      void found.then(() => setTimeout(() => this._prefetched.delete(path), 5000));
    }
    return found;
  }

  /** Follow another document (or none): its first review is of the whole notebook. */
  setDocument(doc: IDocument | null): void {
    if (doc === this._doc) {
      return;
    }
    this._doc = doc;
    this._docSeq = this.seq;
    const preview = doc && this._preview?.path === doc.path ? this._preview.review : null;
    this.review = preview;
    this.ownPhase = preview?.phase ?? null;
    this.error = null;
    this.viewPhase = null;
    this.announcement = '';
    this._acked = null;
    this._versions = new Map();
    this._meta = 0;
    this._undo = null;
    this.undoable = null;
    this._previousGaps = null;
    this.workload = null;
    this.workloadError = null;
    this._workloadSeq++;
    this._workloadWanted = doc !== null;
    this._emit();
    if (doc) {
      this.schedule(0);
    }
  }

  /** The notebook was saved: its workload's status may have changed. */
  saved(): void {
    void this.refreshWorkload();
  }

  /**
   * Ask the server which workload the open notebook belongs to and the status of its practices
   * there; resolves when the answer is shown (an answer for another notebook, or older than
   * one asked since, is dropped).
   */
  async refreshWorkload(): Promise<void> {
    const doc = this._doc;
    if (!doc) {
      return;
    }
    this._workloadWanted = false;
    const seq = ++this._workloadSeq;
    let workload: IWorkloadStatus | null = null;
    let problem: string | null = null;
    try {
      const answer = await getWorkload(this._opts.transport, doc.path);
      workload = answer.workload ? (answer as IWorkloadStatus) : null;
    } catch (error) {
      // 404: an older server, or a notebook not saved yet: no workload to show
      if (!(error instanceof WellMLRequestError && error.status === 404)) {
        problem = String((error as Error).message ?? error);
      }
    }
    if (seq !== this._workloadSeq || doc !== this._doc) {
      return;
    }
    this.workload = workload;
    this.workloadError = problem;
    this._emit();
  }

  // ------------------------------------------------------------------ edits
  /** A cell's content (source, outputs, execution count, metadata) changed. */
  cellChanged(id: string): void {
    this._versions.set(id, (this._versions.get(id) ?? 0) + 1);
    this.schedule();
  }

  /** Cells were added, removed or moved. */
  cellsMoved(): void {
    this.schedule();
  }

  /** The notebook's metadata changed (records, kernelspec...). */
  metadataChanged(): void {
    this._meta++;
    this.schedule();
  }

  /**
   * Review after `delay` ms. Without a delay: at once after a quiet moment (no request in
   * flight, none sent within the debounce), else after the debounce.
   */
  schedule(delay?: number): void {
    clearTimeout(this._timer);
    const token = ++this._scheduled;
    if (delay === undefined) {
      const quiet = this._inFlight === 0 && Date.now() - this._lastSent >= this.debounce;
      delay = quiet ? 0 : this.debounce;
    }
    if (delay === 0) {
      // at the end of this task, before the browser lays out the edit: the changes one
      // keystroke signals come together, and the request leaves a frame earlier
      queueMicrotask(() => {
        if (token === this._scheduled) {
          void this.reviewNow();
        }
      });
    } else {
      this._timer = setTimeout(() => void this.reviewNow(), delay);
    }
  }

  dispose(): void {
    clearTimeout(this._timer);
    this._scheduled++;
    this._listeners.clear();
    this._doc = null;
  }

  // ------------------------------------------------------------------ views (never write)
  /** View the practices as for `phase` (null: the notebook's own phase). Nothing is written. */
  setViewPhase(phase: string | null): void {
    this.viewPhase = phase || null;
    this._previousGaps = null;
    this._emit();
    this.schedule(0);
  }

  setFilter(filter: Filter): void {
    this.filter = filter;
    this._emit();
  }

  toggleExpanded(id: string): void {
    if (!this.expanded.delete(id)) {
      this.expanded.add(id);
    }
    this._emit();
  }

  toggleOpen(group: string): void {
    if (!this.open.delete(group)) {
      this.open.add(group);
    }
    this._emit();
  }

  // ------------------------------------------------------------------ writes (undoable)
  /** Record the phase being viewed (or the inferred one) as the notebook's phase. */
  recordPhase(): string {
    const phase = this.viewPhase ?? this.ownPhase?.id;
    if (!phase) {
      throw new Error('no phase to record: choose one in the phase selector first');
    }
    this._write(`recording the phase ${phase}`, [makeRecord('phase', { phase }, this.author())]);
    this.viewPhase = null;
    this.schedule(0);
    return phase;
  }

  waive(practice: string, reason: string, note: string): void {
    this._write(`the waiver of ${practice}`, [
      makeRecord('waiver', { practice, reason, note }, this.author())
    ]);
  }

  attest(practice: string, note: string): void {
    this._write(`the attestation of ${practice}`, [
      makeRecord('attest', { practice, note }, this.author())
    ]);
  }

  /**
   * Take a waiver or an attestation out of force: the record stays, with `removed` set and the
   * change in its history; recording it again puts it back.
   */
  remove(kind: 'waiver' | 'attest', practice: string): void {
    const stored = this._storedRecords();
    const found =
      stored.find(r => r.kind === kind && r.practice === practice) ??
      this._reviewRecord(kind, practice);
    if (!found) {
      throw new Error(`no ${kind} of ${practice} to remove`);
    }
    const ts = now();
    // a new id: the upsert then applies it even within the second the record was made
    const removal: IRecord = { ...clone(found), id: newId(), updated: ts, removed: ts };
    delete removal.history;
    const author = this.author();
    if (author) {
      removal.author = author;
    }
    this._write(`removing the ${kind === 'waiver' ? 'waiver' : 'attestation'} of ${practice}`, [
      removal
    ]);
  }

  /** Put metadata.wellml back as it was before the last write from the panel. */
  undo(): void {
    const doc = this._doc;
    const undo = this._undo;
    if (!doc || !undo) {
      return;
    }
    if (JSON.stringify(doc.getStore()) !== undo.after) {
      this._undo = null;
      this.undoable = null;
      this._emit();
      throw new Error(`cannot undo ${undo.label}: the records changed since`);
    }
    doc.setStore(clone(undo.before));
    this._undo = null;
    this.undoable = null;
    this._meta++;
    this._emit();
    this.schedule(0);
  }

  /** Upsert records into the document's metadata.wellml; how many changed. */
  writeRecords(records: IRecord[]): number {
    if (!this._doc) {
      throw new Error('no notebook is open');
    }
    const changed = writeRecords(this._doc, records);
    if (changed) {
      this._meta++;
    }
    return changed;
  }

  // ------------------------------------------------------------------ reviewing
  /** Ask for a review of the document now; resolves when its answer is handled. */
  async reviewNow(): Promise<void> {
    clearTimeout(this._timer);
    this._scheduled++; // a review scheduled before this one is this one
    const doc = this._doc;
    if (!doc || !this.lens) {
      return;
    }
    const seq = ++this.seq;
    this._emit('asked');
    this._inFlight++;
    this._lastSent = Date.now();
    try {
      const review = await this._request(doc, seq);
      if (doc !== this._doc || seq <= this.renderedSeq) {
        return; // another notebook, or a newer answer is already shown
      }
      this._show(review, seq);
      if (this._workloadWanted) {
        void this.refreshWorkload(); // after the notebook's first review, not before it
      }
    } catch (error) {
      if (doc !== this._doc || seq < this.seq) {
        return;
      }
      this.error = `Review failed: ${String((error as Error).message)}`;
      this.renderedSeq = seq;
      this._emit();
      this._failed?.(this.error, error);
    } finally {
      this._inFlight--;
    }
  }

  /** Called with a message and the error when a review fails (a notification). */
  onFailure(callback: (message: string, error: unknown) => void): void {
    this._failed = callback;
  }

  private async _request(doc: IDocument, seq: number): Promise<IReview> {
    const order = doc.cellIds();
    const versions = new Map(this._versions);
    const meta = this._meta;
    const query = {
      path: doc.path,
      phase: this.viewPhase ?? undefined,
      kernel_id: doc.kernelId()
    };
    const delta = this._delta(doc, order, versions, meta);
    let review: IReview;
    try {
      review = await this._post(seq, query, delta, doc, order);
    } catch (error) {
      if (!(error instanceof WellMLRequestError)) {
        throw error;
      }
      if (error.status === 409 && delta) {
        // the server no longer holds the notebook the delta was made against
        this._acked = null;
        review = await this._post(seq, query, null, doc, order);
      } else if (query.kernel_id && [404, 422, 502, 504].includes(error.status)) {
        // a kernel that is gone or not Python: review the code without its environment
        review = await this._post(seq, { ...query, kernel_id: undefined }, delta, doc, order);
      } else {
        throw error;
      }
    }
    if (!this._acked || seq > this._acked.seq) {
      this._acked = { seq, digest: review.notebook.sha256, versions, order, meta };
    }
    return review;
  }

  /** The changes since the notebook the server answered last, or null to send it whole. */
  private _delta(
    doc: IDocument,
    order: string[],
    versions: Map<string, number>,
    meta: number
  ): IDelta | null {
    const acked = this._acked;
    if (!acked || new Set(order).size !== order.length || order.some(id => !id)) {
      return null;
    }
    const known = new Set(acked.order);
    const changed = order.filter(
      id => !known.has(id) || (acked.versions.get(id) ?? 0) !== (versions.get(id) ?? 0)
    );
    if (changed.length > Math.max(8, order.length / 2)) {
      return null; // most of the notebook changed: send it whole
    }
    const cells: { [id: string]: unknown } = {};
    for (const id of changed) {
      cells[id] = doc.cellJSON(id);
    }
    const body: { [key: string]: unknown } = { cells };
    const sameOrder =
      order.length === acked.order.length && order.every((id, i) => id === acked.order[i]);
    if (!sameOrder) {
      body.order = order;
    }
    if (meta !== acked.meta) {
      body.metadata = doc.metadata();
    }
    return { base: acked.digest, body: JSON.stringify(body), cells: changed.length };
  }

  private async _post(
    seq: number,
    query: { path: string; phase?: string; kernel_id?: string },
    delta: IDelta | null,
    doc: IDocument,
    order: string[]
  ): Promise<IReview> {
    const body =
      delta?.body ??
      JSON.stringify({
        notebook: {
          cells: order.map(id => doc.cellJSON(id)),
          metadata: doc.metadata(),
          ...doc.format()
        }
      });
    this.requests.push({
      seq,
      incremental: delta !== null,
      bytes: body.length,
      cells: delta ? delta.cells : order.length,
      query: { ...query, base: delta?.base }
    });
    if (this.requests.length > 50) {
      this.requests.shift();
    }
    return postReview(this._opts.transport, { ...query, base: delta?.base }, body);
  }

  private _show(review: IReview, seq: number): void {
    const gaps = new Set(review.verdict.practices.filter(p => p.state === 'gap').map(p => p.id));
    const before = this._previousGaps;
    const fresh = before ? [...gaps].filter(id => !before.has(id)).length : 0;
    const changedGaps = !before || fresh > 0 || before.size !== gaps.size;
    if (changedGaps) {
      this.announcement = `review updated: ${gaps.size} ${gaps.size === 1 ? 'gap' : 'gaps'}, ${fresh} new`;
    }
    this._previousGaps = gaps;
    this.review = review;
    if (review.phase.source !== 'requested') {
      this.ownPhase = review.phase;
    }
    this.error = null;
    this.renderedSeq = seq;
    this._emit();
  }

  private _write(label: string, records: IRecord[]): void {
    const doc = this._doc;
    if (!doc) {
      throw new Error('no notebook is open');
    }
    const before = clone(doc.getStore());
    if (this.writeRecords(records)) {
      this._undo = { label, before, after: JSON.stringify(doc.getStore()) };
      this.undoable = label;
    }
    this._emit();
    this.schedule(0);
  }

  private _storedRecords(): IRecord[] {
    try {
      return (storeFrom(this._doc?.getStore()).records ?? []) as IRecord[];
    } catch {
      return [];
    }
  }

  private _reviewRecord(kind: string, practice: string): IRecord | undefined {
    return this.review?.records.find(r => r.record.kind === kind && r.record.practice === practice)
      ?.record;
  }

  private _emit(what: 'state' | 'asked' = 'state'): void {
    for (const listener of [...this._listeners]) {
      listener(what);
    }
  }

  private _doc: IDocument | null = null;
  private _docSeq = 0;
  private _previewPath: string | null = null;
  private _preview: { path: string; review: IReview } | null = null;
  private _prefetched = new Map<string, Promise<IReview | null>>();
  private _listeners = new Set<(what: 'state' | 'asked') => void>();
  private _timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private _inFlight = 0;
  private _scheduled = 0;
  private _lastSent = 0;
  private _acked: IAcked | null = null;
  private _versions = new Map<string, number>();
  private _meta = 0;
  private _undo: IUndo | null = null;
  private _previousGaps: Set<string> | null = null;
  private _workloadSeq = 0;
  private _workloadWanted = false;
  private _failed: ((message: string, error: unknown) => void) | null = null;
}
