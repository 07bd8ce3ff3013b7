/**
 * Reading a request's inputs against their schemas. Each reader answers the problem itself and
 * returns undefined when the input is refused, so a route reads
 * `const query = validQuery(req, res, schema); if (!query) return;`.
 * A path parameter that fails its schema names something that cannot exist: a 404. A query
 * string or a body that fails is the client's mistake: a 400 listing every problem.
 */
import type { Request, Response } from 'express';
import { Validator } from '../validation';
import { badRequest, notFound } from './problem';

export function validParams<T>(
  req: Request,
  res: Response,
  validate: Validator<T>,
  notFoundDetail: (params: Record<string, string>) => string,
): T | undefined {
  const result = validate(req.params);
  if (result.ok) return result.value;
  notFound(res, notFoundDetail(req.params as Record<string, string>), result.errors);
  return undefined;
}

export function validQuery<T>(req: Request, res: Response, validate: Validator<T>): T | undefined {
  const result = validate(req.query);
  if (result.ok) return result.value;
  badRequest(res, result.errors);
  return undefined;
}

/** The body, or `{}` when the request had none (only where a body is optional). */
export function validBody<T>(
  req: Request,
  res: Response,
  validate: Validator<T>,
  { optional = false } = {},
): T | undefined {
  const result = validate(optional && req.body === undefined ? {} : req.body);
  if (result.ok) return result.value;
  badRequest(res, result.errors);
  return undefined;
}
