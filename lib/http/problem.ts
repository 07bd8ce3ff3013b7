/** RFC 9457 problem details: every error answer of the HTTP APIs has this shape. */
import type { ErrorRequestHandler, Response } from 'express';
import { isTransientError } from '../errors';

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  errors?: string[];
}

const typeBase = 'https://order-saga.dev/problems/';

export function sendProblem(res: Response, problem: Problem): void {
  const slug = problem.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `${typeBase}${slug}`, ...problem }));
}

export const notFound = (res: Response, detail: string): void =>
  sendProblem(res, { status: 404, title: 'Not Found', detail });

/** Turns body-parser failures into 400/413/415 and anything unexpected into a 500. */
export function problemHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: { type?: string; status?: number; message?: string }, _req, res, _next) => {
    if (error.type === 'entity.too.large') {
      return sendProblem(res, { status: 413, title: 'Payload Too Large', detail: error.message });
    }
    if (error.type === 'entity.parse.failed') {
      return sendProblem(res, {
        status: 400,
        title: 'Bad Request',
        detail: 'body is not valid JSON',
      });
    }
    if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
      return sendProblem(res, {
        status: 415,
        title: 'Unsupported Media Type',
        detail: error.message,
      });
    }
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
