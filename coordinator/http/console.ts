/**
 * The operator console at `/console`: the front end `npm run build` bundles into `dist/console/`,
 * served by the coordinator itself so there is no second server to run. Every path under
 * `/console` that is not a file is a client-side route and gets `index.html`. The console only
 * reads the public HTTP API (and the admin API with the operator's token), so serving it adds no
 * access of its own.
 */
import path from 'node:path';
import express, { Response, Router } from 'express';
import { notFound, sendProblem } from '../../lib/http/problem';

/** Worker ports the console links to (their read APIs, opened in a new tab). */
export interface WorkerPorts {
  payment: number;
  inventory: number;
  shipping: number;
}

export interface ConsoleOptions {
  workerPorts: WorkerPorts;
  /** The built console; by default `dist/console`, beside the compiled `dist/coordinator`. */
  directory?: string;
}

/**
 * Everything is bundled, so nothing but this origin is ever needed: no inline script or style,
 * no other host. That also keeps a user-supplied string that slipped into the page inert.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const defaultDirectory = path.resolve(__dirname, '..', '..', 'console');

export function consoleRoutes({
  workerPorts,
  directory = defaultDirectory,
}: ConsoleOptions): Router {
  const router = Router();
  router.use('/console', (_req, res, next) => {
    res.set({
      'Content-Security-Policy': CONSOLE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    next();
  });

  router.get('/console/config.json', (_req, res) => {
    const { payment, inventory, shipping } = workerPorts;
    res.set('Cache-Control', 'no-store').json({ worker_ports: { payment, inventory, shipping } });
  });

  // Bundled assets carry a content hash in their name: a new build has new names.
  router.use(
    '/console/assets',
    express.static(path.join(directory, 'assets'), {
      index: false,
      immutable: true,
      maxAge: '365d',
    }),
    (req, res) => notFound(res, `no console asset ${req.path}`),
  );
  router.use(
    '/console',
    express.static(directory, {
      index: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  router.get('/console{/*route}', (_req, res) => sendIndex(res, directory));
  return router;
}

function sendIndex(res: Response, directory: string): void {
  // Always revalidated, so a deploy's new asset names reach the browser at once.
  res.set('Cache-Control', 'no-cache');
  res.sendFile(path.join(directory, 'index.html'), (error) => {
    if (!error || res.headersSent) return;
    sendProblem(res, {
      status: 503,
      title: 'Service Unavailable',
      detail: 'the console is not built: run npm run build',
    });
  });
}
