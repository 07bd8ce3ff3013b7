/**
 * The open loop: submits N orders through C concurrent HTTP clients as fast as the system takes
 * them, then waits for every saga to end, and reports the rate at which a deep queue drains
 * (accepted → ended, from the coordinator's own timestamps).
 */
import { randomBytes } from 'node:crypto';
import { Database } from '../../lib/db';
import { cpuPerSaga, sampleCpu } from './cpu';
import { JsonClient } from './http-client';
import { round, summary } from './stats';

export interface OpenLoopOptions {
  port: number;
  orders: number;
  concurrency: number;
  sku: string;
  timeoutSeconds: number;
  servicePids: number[];
  db: Database;
  onProgress?: (label: string, done: number, total: number) => void;
}

export async function runOpenLoop(options: OpenLoopOptions) {
  const client = new JsonClient(options.port, options.concurrency);
  const run = randomBytes(4).toString('hex');
  const ids = Array.from({ length: options.orders }, (_, i) => `bench-${run}-${i}`);
  const before = sampleCpu(options.servicePids);
  const started = Date.now();
  let next = 0;
  let submitted = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < ids.length) {
        const orderId = ids[next++]!;
        const body = { order_id: orderId, user_id: 'bench', items: [options.sku], total: 10 };
        const { status } = await client.request('POST', '/orders', body);
        if (status !== 202) failures.push(`${orderId}: ${status}`);
        submitted += 1;
        if (submitted % 50 === 0 || submitted === ids.length)
          options.onProgress?.('submitted', submitted, ids.length);
      }
    }),
  );
  client.close();
  const submitSeconds = (Date.now() - started) / 1000;

  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let rows: Array<{ status: string; latency_ms: number; ended_ms: number }> = [];
  for (;;) {
    const { rows: current } = await options.db.raw(
      `SELECT status, extract(epoch FROM updated_at - created_at) * 1000 AS latency_ms,
              extract(epoch FROM updated_at) * 1000 AS ended_ms
       FROM sagas WHERE order_id = ANY(?) AND status IN ('COMPLETED', 'CANCELLED', 'STUCK')`,
      [ids],
    );
    rows = current;
    options.onProgress?.('ended', rows.length, ids.length);
    if (rows.length === ids.length || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const after = sampleCpu(options.servicePids);
  const ended = Math.max(...rows.map((r) => Number(r.ended_ms)));
  const seconds = (ended - started) / 1000;
  const statuses: Record<string, number> = {};
  rows.forEach((r) => (statuses[r.status] = (statuses[r.status] ?? 0) + 1));
  const cpu = cpuPerSaga(before, after, rows.length);
  return {
    orders: options.orders,
    concurrency: options.concurrency,
    submit_seconds: round(submitSeconds),
    total_seconds: round(seconds),
    sagas_per_s: round(rows.length / seconds, 1),
    latency_ms: summary(rows.map((r) => Number(r.latency_ms))),
    cpu_ms_per_saga: {
      services: round(cpu.services, 3),
      postgres: round(cpu.postgres, 3),
      rabbitmq: round(cpu.rabbitmq, 3),
      total: round(cpu.total, 3),
    },
    statuses,
    not_ended: ids.length - rows.length,
    rejected_submissions: failures.length,
  };
}
