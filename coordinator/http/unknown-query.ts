/** Unknown query parameters are a 400: a typo in a filter must not silently widen a read. */
import type { Request, Response } from 'express';
import { sendProblem } from '../../lib/http/problem';

/** Answers 400 and returns true when the request has a query parameter not in `allowed`. */
export function rejectUnknownQuery(
  req: Request,
  res: Response,
  allowed: readonly string[] = [],
): boolean {
  const errors = Object.keys(req.query)
    .filter((name) => !allowed.includes(name))
    .map((name) => `${name}: unknown query parameter`);
  if (errors.length === 0) return false;
  sendProblem(res, { status: 400, title: 'Bad Request', detail: errors.join('; '), errors });
  return true;
}
