/**
 * The series every service exports besides its own: HTTP requests by route and status with
 * their latency, the database pool's state and the broker connection's. The pool and the
 * connection are read when scraped; a request costs one histogram observation.
 */
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { Database } from './db';
import { gaugeOf, histogram, sampledGauge } from './metrics';
import { BrokerConnection } from './messaging/connection';

/**
 * Requests without a route pattern share a label value, since paths are unbounded and route
 * patterns are not: `unmatched` for the ones no route answered (404), `other` for those a
 * middleware answered (the console's static files, a request refused before routing).
 */
export const UNMATCHED_ROUTE = 'unmatched';
export const OTHER_ROUTE = 'other';

export function httpMetrics(registry: Registry): RequestHandler {
  const duration = histogram(
    registry,
    'order_saga_http_request_duration_seconds',
    'HTTP requests by method, route pattern and status, with their latency',
    ['method', 'route', 'status'],
  );
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      // The route pattern (`/orders/:order_id`) is known once routing is done, never the path.
      const route = req.route
        ? `${req.baseUrl}${String(req.route.path)}`
        : res.statusCode === 404
          ? UNMATCHED_ROUTE
          : OTHER_ROUTE;
      duration.observe(
        { method: req.method, route, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  };
}

/** What a tarn pool (knex's) tells about itself. */
interface PoolCounts {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

function isPoolCounts(pool: unknown): pool is PoolCounts {
  return typeof (pool as Partial<PoolCounts> | undefined)?.numUsed === 'function';
}

export function connectionGauges(registry: Registry, db: Database, broker: BrokerConnection) {
  sampledGauge(
    registry,
    'order_saga_db_pool_connections',
    'Database pool connections, by state (used, free)',
    ['state'],
    async () => {
      // The pool exists only after the first query.
      const pool: unknown = db.client.pool;
      if (!isPoolCounts(pool)) return [];
      return [
        { labels: { state: 'used' }, value: pool.numUsed() },
        { labels: { state: 'free' }, value: pool.numFree() },
      ];
    },
  );
  sampledGauge(
    registry,
    'order_saga_db_pool_pending_acquires',
    'Queries waiting for a database connection',
    [],
    async () => {
      const pool: unknown = db.client.pool;
      return [{ labels: {}, value: isPoolCounts(pool) ? pool.numPendingAcquires() : 0 }];
    },
  );
  gaugeOf(
    registry,
    'order_saga_broker_connected',
    '1 while the RabbitMQ connection is up, 0 while it is down',
    () => (broker.isConnected() ? 1 : 0),
  );
}
