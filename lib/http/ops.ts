/** Health and metrics endpoints every service serves. */
import { Router } from 'express';
import type { Registry } from 'prom-client';

export interface HealthProbes {
  database: () => Promise<void>;
  broker: () => boolean;
}

export function opsRouter(probes: HealthProbes, registry: Registry): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/db', async (_req, res) => {
    try {
      await withTimeout(probes.database(), 2_000);
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
