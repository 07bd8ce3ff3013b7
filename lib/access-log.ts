/**
 * The HTTP access log, at debug: one line per request with method, path, status and duration.
 * Never headers, query strings or bodies: the admin token travels in a header, and the path
 * alone tells which resource was asked for.
 */
import type { RequestHandler } from 'express';
import { Logger } from './logger';

export function accessLog(logger: Logger): RequestHandler {
  // The level is fixed at start: at info and above this costs nothing per request.
  if (!logger.isDebugEnabled()) return (_req, _res, next) => next();
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Routers rewrite req.url while they route; the path as received is taken now.
    const path = req.originalUrl.split('?')[0];
    res.once('finish', () => {
      const micros = Number((process.hrtime.bigint() - started) / 1000n);
      logger.debug('http request', {
        method: req.method,
        path,
        status: res.statusCode,
        duration_ms: micros / 1000,
      });
    });
    next();
  };
}
