/**
 * Requests to `/api/wellml/*`. The transport is a plain `fetch`-like function, so the model can
 * be driven by JupyterLab's ServerConnection in the browser and by Node's fetch in unit tests.
 */
import type { IInfo, ILens, IReview, IWorkloadAnswer } from './types';

/** An error from the server extension, with the HTTP status and the server's own message. */
export class WellMLRequestError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    message: string
  ) {
    super(message);
  }
}

/** `fetch(url, init)`, already authenticated (token, XSRF) for the Jupyter server. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface ITransport {
  /** The server's base URL, ending in `/`. */
  baseUrl: string;
  fetch: Fetch;
}

/**
 * Call `/api/wellml/<endpoint>`; answers JSON. Failures become a WellMLRequestError naming the
 * route, the status and the server's reason.
 */
export async function requestAPI<T>(
  transport: ITransport,
  endpoint: string,
  init: RequestInit = {}
): Promise<T> {
  const url = `${transport.baseUrl.replace(/\/?$/, '/')}api/wellml/${endpoint}`;
  let response: Response;
  try {
    response = await transport.fetch(url, init);
  } catch (error) {
    throw new WellMLRequestError(0, url, `cannot reach the Jupyter server: ${error}`);
  }
  const text = await response.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const reason = body && (body.message || body.reason);
    throw new WellMLRequestError(
      response.status,
      url,
      `${init.method ?? 'GET'} /api/wellml/${endpoint.split('?')[0]}: ` +
        `${response.status} ${reason || response.statusText || 'error'}`
    );
  }
  return body as T;
}

export function fetchInfo(transport: ITransport): Promise<IInfo> {
  return requestAPI<IInfo>(transport, 'info');
}

export function fetchLens(transport: ITransport): Promise<ILens> {
  return requestAPI<ILens>(transport, 'lens');
}

/** GET /api/wellml/review?path=: the review of the notebook as saved on the server. */
export function getSavedReview(transport: ITransport, path: string): Promise<IReview> {
  return requestAPI<IReview>(transport, `review?path=${encodeURIComponent(path)}`);
}

/**
 * GET /api/wellml/workload?path=: the workload of the saved notebook `path` and the status of
 * each practice over it (`{workload: null}` when the notebook belongs to no workload).
 */
export function getWorkload(transport: ITransport, path: string): Promise<IWorkloadAnswer> {
  return requestAPI<IWorkloadAnswer>(transport, `workload?path=${encodeURIComponent(path)}`);
}

export interface IReviewQuery {
  path?: string;
  phase?: string | null;
  kernel_id?: string;
  /** The `notebook.sha256` of an earlier review: the body then holds only what changed. */
  base?: string;
}

/**
 * POST /api/wellml/review: `body` is `{notebook}` or, with `query.base`, a delta
 * `{cells, order?, metadata?}`. Path, phase, kernel and base travel as query parameters, so the
 * server reads them without parsing the body.
 */
export function postReview(
  transport: ITransport,
  query: IReviewQuery,
  body: string
): Promise<IReview> {
  const params = new URLSearchParams();
  for (const key of ['path', 'phase', 'kernel_id', 'base'] as const) {
    const value = query[key];
    if (value) {
      params.set(key, value);
    }
  }
  const search = params.toString();
  return requestAPI<IReview>(transport, `review${search ? `?${search}` : ''}`, {
    method: 'POST',
    body
  });
}
