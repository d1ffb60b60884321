/**
 * The JSON shapes the server speaks. Reviews, verdicts and the info handshake are generated
 * from jupyter_wellml/schemas (src/generated, `jlpm types`; `jlpm lint:check` fails when they
 * drift); the few shapes those schemas leave open are narrowed here.
 */
import type { GETApiWellmlLensTheMergedCatalog } from './generated/catalog';
import type { GETApiWellmlInfo } from './generated/info';
import type {
  JupyterWellmlReviewVersion1,
  Verdict,
  VerdictCounts as GeneratedCounts
} from './generated/review';
import type {
  GETApiWellmlWorkload,
  StatusEvidence,
  StatusPractice,
  WorkloadStatus
} from './generated/workload';

export type Status = JupyterWellmlReviewVersion1['practices'][number]['status'];
export type IReviewPractice = Omit<JupyterWellmlReviewVersion1['practices'][number], 'aliases'> & {
  aliases: IAlias[];
};
export type IEvidence = IReviewPractice['evidence'][number];
export type IReviewPhase = JupyterWellmlReviewVersion1['phase'];
export type IVerdict = Verdict;
export type IVerdictPractice = Verdict['practices'][number];
export type IVerdictCounts = GeneratedCounts;
export type IPillarCounts = Verdict['pillars'][number];
export type State = IVerdictPractice['state'];
export type Basis = NonNullable<IVerdictPractice['basis']>;

export interface IFoundRecord {
  record: IRecord;
  origin: 'metadata' | 'output';
  cell: number | null;
}

/** A review as the server answers it: with its verdict and typed records. */
export type IReview = Omit<JupyterWellmlReviewVersion1, 'records' | 'practices' | 'verdict'> & {
  records: IFoundRecord[];
  practices: IReviewPractice[];
  verdict: IVerdict;
};

export type IInfo = GETApiWellmlInfo;

/** GET /api/wellml/workload: `{workload: null}`, or the workload status of the notebook. */
export type IWorkloadAnswer = GETApiWellmlWorkload;
export type IWorkloadStatus = WorkloadStatus;
export type IWorkloadPractice = StatusPractice;
export type IWorkloadEvidence = StatusEvidence;

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

export type ILensPractice = Omit<
  GETApiWellmlLensTheMergedCatalog['practices'][number],
  'aliases'
> & {
  aliases: IAlias[];
};

export type ILens = Omit<GETApiWellmlLensTheMergedCatalog, 'phases' | 'pillars' | 'practices'> & {
  phases: IPhaseInfo[];
  pillars: IPillarInfo[];
  practices: ILensPractice[];
};

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
