/** RFC 9457 problem details: every error answer of the HTTP APIs has this shape. */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isTransientError } from '../errors';

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  errors?: string[];
  /** What a service that is not ready yet waits for (readiness only). */
  waiting_for?: string[];
}

const typeBase = 'https://order-saga.dev/problems/';

export function sendProblem(res: Response, problem: Problem): void {
  const slug = problem.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `${typeBase}${slug}`, ...problem }));
}

export const notFound = (res: Response, detail: string, errors?: string[]): void =>
  sendProblem(res, { status: 404, title: 'Not Found', detail, ...(errors ? { errors } : {}) });

export const badRequest = (res: Response, errors: string[]): void =>
  sendProblem(res, { status: 400, title: 'Bad Request', detail: errors.join('; '), errors });

/** The last handler of every service: a path no route serves. */
export const routeNotFound: RequestHandler = (req, res) =>
  notFound(res, `no route ${req.method} ${req.path}`);

interface HttpError {
  type?: string;
  code?: unknown;
  errno?: unknown;
  status?: number;
  statusCode?: number;
  message?: string;
}

/**
 * Errors thrown before a route answers: a client's mistake (an error carrying a 4xx status,
 * as body-parser and the router raise them for a body that cannot be read or a path that cannot
 * be decoded) is answered with its status; a reconnecting backing service with a 503; anything
 * else is a 500 and reported.
 */
export function problemHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: HttpError, _req, res, _next) => {
    const status = clientErrorStatus(error);
    if (status !== undefined) return sendProblem(res, clientProblem(status, error));
    if (isTransientError(error)) {
      // The database or broker is reconnecting: the client may safely retry (POSTs are idempotent).
      res.set('Retry-After', '1');
      return sendProblem(res, {
        status: 503,
        title: 'Service Unavailable',
        detail: 'a backing service is reconnecting; retry shortly',
      });
    }
    onUnexpected(error);
    return sendProblem(res, { status: 500, title: 'Internal Server Error' });
  };
}

function clientErrorStatus(error: HttpError): number | undefined {
  const status = error?.status ?? error?.statusCode;
  return Number.isInteger(status) && status! >= 400 && status! < 500 ? status : undefined;
}

function clientProblem(status: number, error: HttpError): Problem {
  const title = STATUS_CODES[status] ?? 'Bad Request';
  if (error.type === 'entity.parse.failed')
    return { status, title, detail: 'body is not valid JSON' };
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
    return { status: 415, title: STATUS_CODES[415]!, detail: error.message };
  }
  // zlib's words for a corrupt stream ("incorrect header check") mean little to a client.
  if (typeof error.errno === 'number' && /^(Z_|ERR_)/.test(String(error.code))) {
    return { status, title, detail: 'body could not be decompressed as its Content-Encoding says' };
  }
  return { status, title, ...(error.message ? { detail: error.message } : {}) };
}
