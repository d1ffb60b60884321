/**
 * The JSON shapes the server speaks (docs/rest-api.md, docs/review-format.md, docs/records.md).
 * Only the fields the sidebar reads are typed; everything else is passed through untouched.
 */

export type Status = 'met' | 'gap' | 'unknown' | 'not_applicable';

export interface IAlias {
  id: string;
  edition: string;
}

export interface IPhaseInfo {
  id: string;
  name: string;
  summary?: string;
  words?: string[];
}

export interface IPillarInfo {
  id: string;
  name: string;
  summary?: string;
}

/** What a lens practice and a reviewed practice share. */
export interface IPracticeBase {
  id: string;
  aliases: IAlias[];
  title: string;
  pillar: string;
  phase: string;
  phases: string[];
}

export interface ILensPractice extends IPracticeBase {
  risk: 'high' | 'medium';
  summary: string;
  guidance: string;
  evidence: string;
  docs?: string;
  magic?: string;
  lens: string;
}

export interface ILens {
  fingerprint: string;
  lenses: string[];
  phases: IPhaseInfo[];
  pillars: IPillarInfo[];
  practices: ILensPractice[];
  issues: unknown[];
}

export interface IInfo {
  name: string;
  version: string;
  api_version: number;
  lens?: { fingerprint: string; practices: number; lenses: string[]; issues: number };
}

export interface IEvidence {
  cell: number | null;
  cell_id?: string | null;
  line?: number | null;
  message: string;
  snippet?: string | null;
  rule: string;
  effect: string;
}

export interface IReviewPractice extends IPracticeBase {
  risk: 'high' | 'medium' | null;
  lens_risk: 'high' | 'medium';
  status: Status;
  applies: boolean;
  answer: string;
  evidence: IEvidence[];
}

export interface IRegion {
  start: number;
  end: number;
  phase: string | null;
  source: string;
  reason: string;
}

export interface IReviewPhase {
  id: string | null;
  source: 'recorded' | 'inferred' | 'requested' | 'none';
  confidence?: number;
  reason?: string;
  regions: IRegion[];
}

export interface ICounts {
  id?: string;
  met: number;
  gap: number;
  unknown: number;
  not_applicable: number;
  high: number;
  medium: number;
}

export interface IFoundRecord {
  record: IRecord;
  origin: 'metadata' | 'output';
  cell: number | null;
}

export interface IReview {
  schema: string;
  notebook: { path?: string; name?: string; cells: number; inspected?: boolean; reason?: string };
  phase: IReviewPhase;
  records: IFoundRecord[];
  practices: IReviewPractice[];
  summary: { total: ICounts; pillars: ICounts[]; phases: ICounts[] };
  errors: { cell: number; line?: number; message: string }[];
  elapsed_ms: number;
}

/** One record of metadata.wellml.records (record.v1). */
export interface IRecord {
  id: string;
  kind: 'phase' | 'kpi' | 'data' | 'explain' | 'waiver' | 'attest' | 'frame' | 'signoff';
  created: string;
  updated: string;
  author?: string | null;
  cell_id?: string | null;
  history?: IHistoryEntry[];
  [field: string]: unknown;
}

export interface IHistoryEntry {
  updated: string;
  author?: string | null;
  values: { [field: string]: unknown };
}

/** The data of one `application/vnd.jupyter.wellml.record+json` display. */
export interface IPayload {
  schema: string;
  version: number;
  action: string;
  records: IRecord[];
}
