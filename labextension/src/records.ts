/**
 * metadata.wellml records: the same natural keys and upsert rules as the Python side
 * (jupyter_wellml/records/model.py and store.py, docs/records.md), so records written by the
 * sidebar and by `%wellml` magics / `jupyter wellml sync` merge identically.
 */
import { IPayload, IRecord } from './types';

export const RECORD_MIME = 'application/vnd.jupyter.wellml.record+json';
export const PAYLOAD_SCHEMA = 'wellml-record/v1';
export const METADATA_KEY = 'wellml';
export const METADATA_VERSION = 1;
export const WAIVER_REASONS = [
  'out_of_scope',
  'business_priorities',
  'architecture_constraints',
  'other'
] as const;

/** Bookkeeping fields: never content, never a history entry of their own. */
const BOOKKEEPING = new Set(['id', 'kind', 'created', 'updated', 'author', 'history', 'cell_id']);
/** Derived content (a KPI's status): recomputed, not a reason for history. */
const DERIVED = new Set(['status']);

export interface IStore {
  version?: number;
  records?: unknown[];
  [key: string]: unknown;
}

/** The current UTC time as record.v1 writes it: second precision, `Z`. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function newId(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

/** What makes two records the same decision. */
export function naturalKey(record: { [k: string]: unknown }): string {
  const kind = record.kind;
  let parts: unknown[];
  if (kind === 'kpi') {
    parts = [kind, String(record.name ?? '').toLowerCase()];
  } else if (kind === 'data') {
    parts = [
      kind,
      String(record.uri ?? '')
        .trim()
        .replace(/\/+$/, '')
    ];
  } else if (kind === 'waiver' || kind === 'attest' || kind === 'signoff') {
    parts = [kind, record.practice ?? null];
  } else if (kind === 'phase') {
    parts = [kind, record.cell_id || ''];
  } else {
    parts = [kind]; // explain, frame: one decision per notebook
  }
  return JSON.stringify(parts);
}

/** met / within_tolerance / missed / unmeasured / no_target, as model.kpi_status. */
export function kpiStatus(record: { [k: string]: unknown }): string {
  if (record.target === undefined || record.target === null) {
    return 'no_target';
  }
  if (record.op === undefined || record.op === null) {
    return 'no_target';
  }
  const measured = record.measured as number | null | undefined;
  if (measured === undefined || measured === null) {
    return 'unmeasured';
  }
  const target = Number(record.target);
  const checks: { [op: string]: boolean } = {
    '>=': measured >= target,
    '<=': measured <= target,
    '>': measured > target,
    '<': measured < target,
    '==': Math.abs(measured - target) <= 1e-12
  };
  if (checks[String(record.op)]) {
    return 'met';
  }
  const tolerance = record.acceptable_error;
  if (
    tolerance !== undefined &&
    tolerance !== null &&
    Math.abs(measured - target) <= Number(tolerance) + 1e-12
  ) {
    return 'within_tolerance';
  }
  return 'missed';
}

/** Structural equality of JSON values (key order does not matter, as in Python's ==). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(k => k in (b as object) && jsonEqual((a as any)[k], (b as any)[k]))
  );
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/**
 * Merge `incoming` into `store.records` (mutated); answers 'added', 'updated' or 'unchanged'.
 *
 * 1. a new natural key is appended, with an empty history;
 * 2. otherwise the stored record keeps id and created; each changed content field is overwritten
 *    and the old values go into one history entry; fields the incoming record lacks are kept;
 * 3. author and cell_id take the incoming values, updated moves forward, a KPI's status is
 *    recomputed;
 * 4. an incoming record with the stored id (or none) and not newer changes nothing.
 */
export function upsert(store: IStore, incoming: IRecord): 'added' | 'updated' | 'unchanged' {
  if (!Array.isArray(store.records)) {
    store.records = [];
  }
  const records = store.records as any[];
  const key = naturalKey(incoming);
  const existing = records.find(
    r => r !== null && typeof r === 'object' && !Array.isArray(r) && naturalKey(r) === key
  );
  if (existing === undefined) {
    const added = clone(incoming);
    if (added.history === undefined) {
      added.history = [];
    }
    records.push(added);
    return 'added';
  }
  const incomingUpdated = String(incoming.updated ?? '');
  const existingUpdated = String(existing.updated ?? '');
  if (
    incomingUpdated <= existingUpdated &&
    (incoming.id === undefined || incoming.id === null || incoming.id === existing.id)
  ) {
    return 'unchanged';
  }
  const previous: { [k: string]: unknown } = {};
  for (const [k, v] of Object.entries(incoming)) {
    // an absent field equals null, as Python's dict.get does
    const current = existing[k] === undefined ? null : existing[k];
    if (!BOOKKEEPING.has(k) && !DERIVED.has(k) && !jsonEqual(current, v)) {
      previous[k] = existing[k] === undefined ? null : clone(existing[k]);
    }
  }
  const changed = Object.keys(previous).length > 0;
  if (changed) {
    if (!Array.isArray(existing.history)) {
      existing.history = [];
    }
    existing.history.push({
      updated: existing.updated || incoming.updated,
      author: existing.author ?? null,
      values: previous
    });
    for (const k of Object.keys(previous)) {
      existing[k] = clone(incoming[k]);
    }
  }
  for (const k of ['author', 'cell_id']) {
    if (incoming[k]) {
      existing[k] = incoming[k];
    }
  }
  if (incomingUpdated > existingUpdated) {
    existing.updated = incoming.updated;
  }
  if (existing.kind === 'kpi') {
    existing.status = kpiStatus(existing);
  }
  if (existing.history === undefined) {
    existing.history = [];
  }
  return changed ? 'updated' : 'unchanged';
}

const isObject = (value: unknown): value is { [k: string]: unknown } =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A copy of metadata.wellml ready for upserts: version and records ensured, other keys kept.
 * A value of the wrong type is someone's data: it is refused (an Error), never replaced.
 */
export function storeFrom(metadata: unknown): IStore {
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) {
    throw new Error(
      `metadata.${METADATA_KEY} is ${Array.isArray(metadata) ? 'an array' : typeof metadata}, ` +
        'not an object; fix or remove it by hand (nothing was changed)'
    );
  }
  const store: IStore = isObject(metadata) ? clone(metadata as IStore) : {};
  if (store.version === undefined) {
    store.version = METADATA_VERSION;
  }
  if (store.records === undefined || store.records === null) {
    store.records = [];
  } else if (!Array.isArray(store.records)) {
    throw new Error(
      `metadata.${METADATA_KEY}.records is ${typeof store.records}, not a list; ` +
        'fix or remove it by hand (nothing was changed)'
    );
  }
  return store;
}

const KINDS = ['phase', 'kpi', 'data', 'explain', 'waiver', 'attest', 'frame', 'signoff'];
const REQUIRED: { [kind: string]: string[] } = {
  phase: ['phase'],
  kpi: ['name'],
  data: ['uri'],
  explain: ['level'],
  waiver: ['practice', 'reason', 'note'],
  attest: ['practice', 'note'],
  frame: ['question'],
  signoff: ['practice', 'approver']
};

/** What is wrong with a record (the essentials of record.v1), or null when it is usable. */
export function recordProblem(record: unknown): string | null {
  if (!isObject(record)) {
    return 'a record is not an object';
  }
  if (!KINDS.includes(record.kind as string)) {
    return `unknown record kind ${JSON.stringify(record.kind)}; use one of: ${KINDS.join(', ')}`;
  }
  for (const field of ['id', 'created', 'updated', ...REQUIRED[record.kind as string]]) {
    if (record[field] === undefined || record[field] === null || record[field] === '') {
      return `${record.kind} record: field ${field} is missing`;
    }
  }
  return null;
}

/** The records of a payload, if `data` is a wellml-record/v1 upsert; else null. */
export function payloadRecords(data: unknown): IRecord[] | null {
  if (data === null || typeof data !== 'object') {
    return null;
  }
  const payload = data as IPayload;
  if (payload.schema !== PAYLOAD_SCHEMA || !Array.isArray(payload.records)) {
    return null;
  }
  return payload.records as IRecord[];
}

/** A new record of `kind` (id, timestamps, author) with `fields`. */
export function makeRecord(
  kind: IRecord['kind'],
  fields: { [k: string]: unknown },
  author?: string | null
): IRecord {
  const ts = now();
  const record: IRecord = { id: newId(), kind, created: ts, updated: ts };
  if (author) {
    record.author = author;
  }
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined && v !== null) {
      record[k] = v;
    }
  }
  if (kind === 'kpi') {
    record.status = kpiStatus(record);
  }
  return record;
}

/** One readable line for a record (as model.describe). */
export function describe(record: IRecord): string {
  const r = record as any;
  switch (record.kind) {
    case 'phase':
      return `phase: ${r.phase}${r.cell_id ? ' from this cell on' : ''}`;
    case 'kpi': {
      const parts = [`KPI ${r.name}`];
      if (r.op != null && r.target != null) {
        parts.push(`${r.op} ${r.target}`);
      }
      if (r.acceptable_error != null) {
        parts.push(`(acceptable error ${r.acceptable_error})`);
      }
      if (r.measured != null) {
        parts.push(`measured ${r.measured}: ${String(r.status ?? '').replace(/_/g, ' ')}`);
      }
      return parts.join(' ');
    }
    case 'data':
      return `data ${r.uri}${r.pii ? ` (pii=${r.pii})` : ''}`;
    case 'explain':
      return `explainability: ${r.level}${r.method ? `, method ${r.method}` : ''}`;
    case 'waiver':
      return `waiver ${r.practice}: ${r.reason} - ${r.note}`;
    case 'attest':
      return `attested ${r.practice}: ${r.note}`;
    case 'frame':
      return `framing: ${r.question}${r.task ? `; task ${r.task}` : ''}${r.label ? `, label ${r.label}` : ''}`;
    case 'signoff':
      return `signed off ${r.practice} by ${r.approver}${r.expires ? ` until ${r.expires}` : ''}`;
    default:
      return `${record.kind} record`;
  }
}
