/**
 * Fetching from the coordinator, same origin only. Error answers are RFC 9457 problems and
 * become an ApiError carrying the API's own words. The admin token is attached here and only
 * for `/admin/*`: it never travels with any other request.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** The admin token; refused for any path outside `/admin/`. */
  token?: string;
}

const ADMIN_PREFIX = '/admin/';

export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  if (!path.startsWith('/')) throw new Error(`not a same-origin path: ${path}`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token !== undefined) {
    if (!path.startsWith(ADMIN_PREFIX)) throw new Error(`the admin token is for /admin/ only`);
    headers.authorization = `Bearer ${options.token}`;
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  const parsed = parse(text);
  if (!response.ok) throw problemOf(response, parsed);
  return parsed as T;
}

/** Plain text (the Prometheus exposition of `/metrics`). */
export async function requestText(path: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(path, { signal, credentials: 'omit', cache: 'no-store' });
  if (!response.ok) throw new ApiError(response.status, `${path} answered ${response.status}`);
  return response.text();
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function problemOf(response: Response, body: unknown): ApiError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as {
    title?: unknown;
    detail?: unknown;
    errors?: unknown;
  };
  const detail = typeof problem.detail === 'string' ? problem.detail : undefined;
  const title = typeof problem.title === 'string' ? problem.title : response.statusText;
  const errors = Array.isArray(problem.errors)
    ? problem.errors.filter((e): e is string => typeof e === 'string')
    : [];
  return new ApiError(response.status, detail ?? title ?? `HTTP ${response.status}`, errors);
}

export const isAbort = (error: unknown): boolean =>
  error instanceof DOMException && error.name === 'AbortError';
