/**
 * JSON request bodies. body-parser skips a body whose media type it was not told to parse,
 * which leaves `req.body` undefined — indistinguishable from no body at all. So a body that is
 * present must declare JSON (415 otherwise), and only a truly empty request reads as no body.
 */
import express, { RequestHandler } from 'express';
import { sendProblem } from './problem';

const jsonTypes = ['application/json', 'application/*+json'];

/** Whether the request carries body bytes (a declared length above 0, or a chunked body). */
function carriesBody(req: Parameters<RequestHandler>[0]): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length'] ?? 0);
  return !Number.isNaN(length) && length > 0;
}

/** Refuses a body in another media type than JSON with a 415. */
export function requireJsonIfPresent(what: string): RequestHandler {
  return (req, res, next) => {
    if (carriesBody(req) && !req.is(jsonTypes)) {
      return sendProblem(res, {
        status: 415,
        title: 'Unsupported Media Type',
        detail: `send ${what} as Content-Type: application/json`,
      });
    }
    next();
  };
}

/** Refuses a request without a JSON media type with a 415, whether or not it has a body. */
export function requireJson(what: string): RequestHandler {
  return (req, res, next) => {
    if (!req.is(jsonTypes)) {
      return sendProblem(res, {
        status: 415,
        title: 'Unsupported Media Type',
        detail: `send ${what} as Content-Type: application/json`,
      });
    }
    next();
  };
}

/** Parses a JSON body of any JSON value up to `limit` bytes, inflating gzip, deflate or br. */
export const parseJson = (limit: number | string): RequestHandler =>
  express.json({ limit, type: jsonTypes, strict: false });
