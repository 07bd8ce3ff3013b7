/**
 * `npm run bench -- --orders N --concurrency C`: submits N orders to a running system through
 * C concurrent HTTP clients, waits for every saga to end, and prints completed sagas per second
 * and end-to-end latency percentiles (accepted → ended, from the coordinator's own timestamps).
 * It also checks that stock dropped by exactly the quantities ordered.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { loadConfig } from '../lib/config';
import { createDatabase } from '../lib/db';

interface Options {
  orders: number;
  concurrency: number;
  sku: string;
  timeoutSeconds: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { orders: 1000, concurrency: 64, sku: 'Book', timeoutSeconds: 300 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--orders') options.orders = Number(value);
    else if (flag === '--concurrency') options.concurrency = Number(value);
    else if (flag === '--sku') options.sku = String(value);
    else if (flag === '--timeout') options.timeoutSeconds = Number(value);
    else
      throw new Error(
        `unknown option ${flag}; use --orders N --concurrency C [--sku S] [--timeout S]`,
      );
  }
  if (!(options.orders > 0 && options.concurrency > 0))
    throw new Error('--orders and --concurrency must be positive');
  return options;
}

function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r${label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`,
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  // A plain keep-alive agent: the load generator shares the machine's two cores with the system.
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const inventory = `http://127.0.0.1:${config.ports.inventory}`;
  const db = createDatabase({ ...config.postgres, poolSize: 2 }, config.postgres.databases.orders);
  const run = randomBytes(4).toString('hex');
  const ids = Array.from({ length: options.orders }, (_, i) => `bench-${run}-${i}`);
  const stockBefore = await stockOf(inventory, options.sku);

  const started = Date.now();
  let next = 0;
  let submitted = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < ids.length) {
        const orderId = ids[next++]!;
        const body = { order_id: orderId, user_id: 'bench', items: [options.sku], total: 10 };
        const status = await postJson(agent, config.ports.coordinator, '/orders', body);
        if (status !== 202) failures.push(`${orderId}: ${status}`);
        submitted += 1;
        if (submitted % 50 === 0 || submitted === ids.length)
          progress('submitted', submitted, ids.length);
      }
    }),
  );
  const submitSeconds = (Date.now() - started) / 1000;
  process.stderr.write('\n');

  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let rows: Array<{ status: string; latency_ms: number; ended_ms: number }> = [];
  for (;;) {
    const { rows: current } = await db.raw(
      `SELECT status, extract(epoch FROM updated_at - created_at) * 1000 AS latency_ms,
              extract(epoch FROM updated_at) * 1000 AS ended_ms
       FROM sagas WHERE order_id = ANY(?) AND status IN ('COMPLETED', 'CANCELLED', 'STUCK')`,
      [ids],
    );
    rows = current;
    progress('ended', rows.length, ids.length);
    if (rows.length === ids.length || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.stderr.write('\n');
  await db.destroy();

  const ended = Math.max(...rows.map((r) => Number(r.ended_ms)));
  const seconds = (ended - started) / 1000;
  const latencies = rows.map((r) => Number(r.latency_ms)).sort((a, b) => a - b);
  const byStatus: Record<string, number> = {};
  rows.forEach((r) => (byStatus[r.status] = (byStatus[r.status] ?? 0) + 1));
  const stockAfter = await stockOf(inventory, options.sku);
  const completed = byStatus.COMPLETED ?? 0;
  console.log(
    JSON.stringify(
      {
        orders: options.orders,
        concurrency: options.concurrency,
        submit_seconds: round(submitSeconds),
        total_seconds: round(seconds),
        sagas_per_second: round(rows.length / seconds),
        latency_ms: {
          p50: round(percentile(latencies, 50)),
          p95: round(percentile(latencies, 95)),
          p99: round(percentile(latencies, 99)),
        },
        statuses: byStatus,
        not_ended: ids.length - rows.length,
        rejected_submissions: failures.length,
        stock: {
          sku: options.sku,
          available_before: stockBefore.available,
          available_after: stockAfter.available,
          dropped: stockBefore.available - stockAfter.available,
          expected_drop: completed,
        },
      },
      null,
      2,
    ),
  );
  const ok =
    rows.length === ids.length &&
    failures.length === 0 &&
    stockBefore.available - stockAfter.available === completed;
  process.exit(ok ? 0 : 1);
}

function postJson(agent: http.Agent, port: number, path: string, body: unknown): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(data);
  });
}

async function stockOf(base: string, sku: string): Promise<{ available: number }> {
  const response = await fetch(`${base}/stock/${sku}`);
  if (!response.ok) throw new Error(`GET /stock/${sku} answered ${response.status}`);
  return (await response.json()) as { available: number };
}

const round = (n: number) => Math.round(n * 100) / 100;

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
