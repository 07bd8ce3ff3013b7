/**
 * Health and metrics endpoints every service serves: `/health` is liveness (the process
 * answers), `/health/ready` readiness (it can take work), `/health/db` and `/health/queue` each
 * connection on its own.
 */
import { Router } from 'express';
import type { Registry } from 'prom-client';
import { Readiness } from '../readiness';
import { sendProblem } from './problem';

export interface HealthProbes {
  /** Resolves when the database answers in time; rejects with the reason otherwise. */
  database: () => Promise<void>;
  broker: () => boolean;
}

export function opsRouter(probes: HealthProbes, readiness: Readiness, registry: Registry): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    const status = await readiness.status();
    if (status.ready) return void res.json({ status: 'ready' });
    res.set('Retry-After', '1');
    sendProblem(res, {
      status: 503,
      title: 'Service Unavailable',
      detail: `waiting for ${status.waitingFor.join('; ')}`,
      waiting_for: status.waitingFor,
    });
  });
  router.get('/health/db', async (_req, res) => {
    try {
      await probes.database();
      res.json({ status: 'ok' });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', reason: (error as Error).message });
    }
  });
  router.get('/health/queue', (_req, res) => {
    if (probes.broker()) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'unavailable', reason: 'not connected to RabbitMQ' });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
