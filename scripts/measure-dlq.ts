/**
 * Measures the dead-letter admin API at scale: in a vhost and database of its own, a coordinator
 * is started, a DLQ is filled with DEAD_LETTERS messages published straight to the dead-letter
 * exchange, then it is paged through with GET /admin/dlq, replayed whole, filled again and
 * purged. Prints the time of each phase and the coordinator's peak RSS during it, then removes
 * everything it made. Run after `npm run build`: node dist/scripts/measure-dlq.js [count]
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import amqp from 'amqplib';
import { Client } from 'pg';
import { loadConfig } from '../lib/config';
import { pgClientConfig } from '../lib/db';
import { brokerTlsOptions, brokerUrls } from '../lib/messaging/connection';
import { exchanges, queues } from '../lib/messaging/topology';
import { serviceNodeFlags } from '../lib/node-flags';
import { serviceEntryPoints } from './service-entry-points';

const count = Number(process.argv[2] ?? 100_000);
const config = loadConfig();
const suffix = randomBytes(3).toString('hex');
const vhost = `dlq-measure-${suffix}`;
const database = `dlq_measure_${suffix}`;
const token = randomUUID();
const port = 18_000 + Math.floor(Math.random() * 1000);
const DLQ = 'payment.commands.dlq';
const api = `http://127.0.0.1:${port}`;
const management = `http://${config.rabbitmq.host}:${config.rabbitmq.managementPort}`;
const managementAuth = `Basic ${Buffer.from(`${config.rabbitmq.user}:${config.rabbitmq.password}`).toString('base64')}`;

async function manage(method: string, route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${management}${route}`, {
    method,
    headers: { authorization: managementAuth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : undefined;
}

async function admin<T>(method: string, route: string): Promise<T> {
  const response = await fetch(`${api}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}`);
  return (await response.json()) as T;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await pause(200);
  }
}

/** The coordinator's resident memory, sampled; `phase` resets the peak. */
function rssSampler(pid: number) {
  const read = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  let peak = read();
  const timer = setInterval(() => (peak = Math.max(peak, read())), 100);
  return {
    phase: () => {
      const result = Math.max(peak, read());
      peak = read();
      return Math.round(result);
    },
    stop: () => clearInterval(timer),
  };
}

async function fill(channel: amqp.ConfirmChannel): Promise<void> {
  for (let sent = 0; sent < count; sent += 1000) {
    for (let i = sent; i < Math.min(count, sent + 1000); i++) {
      channel.publish(exchanges.deadLetters, queues.payment, Buffer.from(`{"n":${i}}`), {
        messageId: `m-${i}`,
        type: 'payment.authorize',
        persistent: true,
        headers: {
          'x-origin-queue': queues.payment,
          'x-order-id': `order-${i}`,
          'x-error-code': 'PROVIDER_UNAVAILABLE',
          'x-error-message': 'payment provider answered 503',
          'x-attempts': 4,
          'x-dead-lettered-at': new Date().toISOString(),
        },
      });
    }
    await channel.waitForConfirms();
  }
  // Mirrored once the coordinator has written a row for each.
  const pg = new Client(pgClientConfig(config.postgres, database));
  await pg.connect();
  try {
    await until('the mirror to catch up', async () => {
      const { rows } = await pg.query<{ n: string }>('SELECT count(*) AS n FROM dead_letters');
      return Number(rows[0]!.n) >= count;
    });
  } finally {
    await pg.end();
  }
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await work();
  return [result, (Date.now() - started) / 1000];
}

async function main(): Promise<void> {
  await manage('PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, {});
  await manage('PUT', `/api/permissions/${encodeURIComponent(vhost)}/${config.rabbitmq.user}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  const child = spawn(
    process.execPath,
    [...serviceNodeFlags, path.join(__dirname, '..', serviceEntryPoints.coordinator)],
    {
      env: {
        ...process.env,
        POSTGRES_DB: database,
        RABBITMQ_VHOST: vhost,
        ORDER_SERVICE_PORT: String(port),
        ADMIN_TOKEN: token,
        LOG_LEVEL: 'error',
        FAULT_INJECTION: 'off',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const broker = { ...config.rabbitmq, vhost };
  const connection = await amqp.connect(
    brokerUrls(broker)[0]!,
    brokerTlsOptions(broker, broker.nodes[0]!.host),
  );
  try {
    await until(
      'the coordinator',
      async () =>
        (
          await fetch(`${api}/admin/dlq`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).ok,
    );
    const rss = rssSampler(child.pid!);
    const channel = await connection.createConfirmChannel();
    const report: Record<string, unknown> = { dead_letters: count, idle_rss_mb: rss.phase() };

    const [, fillSeconds] = await timed(() => fill(channel));
    report.fill_and_mirror = { seconds: fillSeconds, peak_rss_mb: rss.phase() };

    const [pages, pageSeconds] = await timed(async () => {
      let cursor: string | null = null;
      let listed = 0;
      let pageCount = 0;
      do {
        const query: string = `queue=${DLQ}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
        const answer = await admin<{
          queues: Array<{ messages: unknown[]; next_cursor: string | null }>;
        }>('GET', `/admin/dlq?${query}`);
        listed += answer.queues[0]!.messages.length;
        cursor = answer.queues[0]!.next_cursor;
        pageCount += 1;
      } while (cursor);
      return { listed, pages: pageCount };
    });
    report.page_through = { ...pages, seconds: pageSeconds, peak_rss_mb: rss.phase() };

    const [replayed, replaySeconds] = await timed(() =>
      admin<{ replayed: number }>('POST', `/admin/dlq/${DLQ}/replay`),
    );
    report.replay_all = {
      replayed: replayed.replayed,
      seconds: replaySeconds,
      peak_rss_mb: rss.phase(),
    };

    await fill(channel);
    rss.phase();
    const [purged, purgeSeconds] = await timed(() =>
      admin<{ purged: number }>('DELETE', `/admin/dlq/${DLQ}`),
    );
    report.purge = { purged: purged.purged, seconds: purgeSeconds, peak_rss_mb: rss.phase() };
    rss.stop();
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await connection.close().catch(() => undefined);
    await manage('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
    const pg = new Client(pgClientConfig(config.postgres, 'postgres'));
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await pg.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
