import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IInfo, ILens, IReview } from './types';

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

/**
 * Call `/api/wellml/<endpoint>` with the server's settings (token, XSRF); answers JSON.
 * Failures become a WellMLRequestError naming the route, the status and the server's reason.
 */
export async function requestAPI<T>(
  settings: ServerConnection.ISettings,
  endpoint: string,
  init: RequestInit = {}
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, 'api', 'wellml', endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
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

export function fetchInfo(settings: ServerConnection.ISettings): Promise<IInfo> {
  return requestAPI<IInfo>(settings, 'info');
}

export function fetchLens(settings: ServerConnection.ISettings): Promise<ILens> {
  return requestAPI<ILens>(settings, 'lens');
}

export interface IReviewRequest {
  path?: string;
  phase?: string;
  kernel_id?: string;
  notebook: unknown;
}

export function postReview(
  settings: ServerConnection.ISettings,
  request: IReviewRequest
): Promise<IReview> {
  // path, phase and kernel_id first: the server reads them without parsing a large notebook
  const body: { [key: string]: unknown } = {};
  for (const key of ['path', 'phase', 'kernel_id'] as const) {
    if (request[key]) {
      body[key] = request[key];
    }
  }
  body.notebook = request.notebook;
  return requestAPI<IReview>(settings, 'review', {
    method: 'POST',
    body: JSON.stringify(body)
  });
}
