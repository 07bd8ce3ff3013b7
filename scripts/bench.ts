/**
 * `npm run bench`: loads a running system and prints what a user of it would feel.
 *
 *   npm run bench                          closed loop: 64 orders in flight, each waiting for
 *   npm run bench -- --in-flight 1           its outcome through the wait API, for 15 s
 *   npm run bench -- --baseline            … and the choreography floor at the same in-flight
 *                                            count in the same run, with ratios to it
 *   npm run bench -- --baseline --rounds 3 … floor and ours alternating three times: medians,
 *                                            and the median of each round's ratio
 *   npm run bench -- --open --orders 5000 --concurrency 64
 *                                          open loop: submit as fast as possible, then time
 *                                            how fast the backlog drains
 *   npm run bench -- --wait-api            how soon a waiting client hears of an outcome, and
 *                                            what 1,000 idle waiting clients cost
 *   npm run bench -- --restart [--restarts N] [--services coordinator,payment]
 *                                          how soon each service, restarted like a crashed one,
 *                                            answers /health/ready (median of N restarts); run
 *                                            with the services stopped, PostgreSQL and RabbitMQ up
 *
 * Both print sagas/s, p50/p95/p99 latency and whole-system CPU per saga (services, PostgreSQL,
 * RabbitMQ, read from /proc), and check that the stock fell by exactly the orders completed.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, portVariables } from '../lib/config';
import { createDatabase } from '../lib/db';
import { serviceNodeFlags } from '../lib/node-flags';
import { DEFAULT_BASELINE, runBaseline } from './bench/baseline';
import { LoopResult, runClosedLoop } from './bench/closed-loop';
import { Ratios, Round, summarizeRounds } from './bench/rounds';
import { pidsListeningOn } from './bench/cpu';
import { JsonClient } from './bench/http-client';
import { runOpenLoop } from './bench/open-loop';
import { RestartReport, runRestarts } from './bench/restart';
import { runWaitApi } from './bench/wait-api';
import { ServiceName, serviceEntryPoints, serviceNames } from './service-entry-points';

const usage = `usage: npm run bench -- [--in-flight N] [--seconds S] [--warmup S] [--baseline]
                         [--rounds R] [--baseline-script PATH] [--sku SKU] [--json]
       npm run bench -- --open [--orders N] [--concurrency C] [--timeout S] [--sku SKU] [--json]
       npm run bench -- --wait-api [--seconds S] [--json]
       npm run bench -- --restart [--restarts N] [--services NAME,...] [--json]`;

function options() {
  const { values } = parseArgs({
    options: {
      'in-flight': { type: 'string', default: '64' },
      rounds: { type: 'string', default: '1' },
      seconds: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      baseline: { type: 'boolean', default: false },
      'baseline-script': { type: 'string', default: DEFAULT_BASELINE },
      open: { type: 'boolean', default: false },
      orders: { type: 'string' },
      concurrency: { type: 'string', default: '64' },
      timeout: { type: 'string', default: '300' },
      sku: { type: 'string', default: 'Book' },
      'wait-api': { type: 'boolean', default: false },
      restart: { type: 'boolean', default: false },
      restarts: { type: 'string', default: '7' },
      services: { type: 'string', default: serviceNames.join(',') },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const positive = (name: keyof typeof values, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  return {
    help: values.help,
    open: values.open || values.orders !== undefined,
    waitApi: values['wait-api'],
    restart: values.restart,
    restarts: Math.round(positive('restarts', values.restarts)),
    services: serviceList(values.services),
    inFlight: Math.round(positive('in-flight', values['in-flight'])),
    rounds: Math.round(positive('rounds', values.rounds)),
    seconds: positive('seconds', values.seconds),
    warmup: Number(values.warmup) >= 0 ? Number(values.warmup) : 3,
    baseline: values.baseline,
    baselineScript: values['baseline-script'],
    orders: Math.round(positive('orders', values.orders ?? '1000')),
    concurrency: Math.round(positive('concurrency', values.concurrency)),
    timeout: positive('timeout', values.timeout),
    sku: values.sku,
    json: values.json,
  };
}

function serviceList(list: string): ServiceName[] {
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !serviceNames.includes(name as ServiceName));
  if (unknown.length > 0) {
    throw new Error(
      `--services: unknown ${unknown.join(', ')} (known: ${serviceNames.join(', ')})`,
    );
  }
  return names as ServiceName[];
}

const progress = (label: string, done: number, total: number) => {
  const width = 30;
  const filled = Math.min(width, Math.round((done / total) * width));
  process.stderr.write(
    `\r${label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`,
  );
};

async function stockOf(client: JsonClient, sku: string): Promise<number> {
  const answer = await client.request('GET', `/stock/${encodeURIComponent(sku)}`);
  if (answer.status !== 200) throw new Error(`GET /stock/${sku} answered ${answer.status}`);
  return Number(answer.body.available);
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.help) {
    console.log(usage);
    return;
  }
  const config = loadConfig();
  const { ports } = config;
  if (opts.restart) {
    await benchRestarts(opts.services, opts.restarts, ports, opts.json);
    return;
  }
  const servicePids = pidsListeningOn([
    ports.coordinator,
    ports.payment,
    ports.inventory,
    ports.shipping,
  ]);
  if (servicePids.length === 0) {
    throw new Error(`no service listens on ${ports.coordinator}: start the system (npm start)`);
  }
  if (opts.waitApi) {
    const [coordinatorPid] = pidsListeningOn([ports.coordinator]);
    const result = await runWaitApi({
      port: ports.coordinator,
      adminToken: config.adminTokens[0] ?? '',
      coordinatorPid: coordinatorPid!,
      wakeSamples: 20,
      idleWaiters: 1_000,
      idleSeconds: Math.min(opts.seconds, 30),
    });
    console.log(JSON.stringify({ mode: 'wait-api', ...result }, null, opts.json ? 0 : 2));
    return;
  }
  const inventory = new JsonClient(ports.inventory, 2);
  const stockBefore = await stockOf(inventory, opts.sku);
  let report: Record<string, unknown>;
  let completed: number;
  let clean: boolean;

  if (opts.open) {
    const db = createDatabase(
      { ...config.postgres, poolSize: 2 },
      config.postgres.databases.orders,
    );
    const result = await runOpenLoop({
      port: ports.coordinator,
      orders: opts.orders,
      concurrency: opts.concurrency,
      sku: opts.sku,
      timeoutSeconds: opts.timeout,
      servicePids,
      db,
      onProgress: progress,
    }).finally(() => db.destroy());
    process.stderr.write('\n');
    completed = result.statuses.COMPLETED ?? 0;
    clean = result.not_ended === 0 && result.rejected_submissions === 0;
    report = { mode: 'open-loop', ...result };
  } else {
    const rounds: Round[] = [];
    for (let index = 1; index <= opts.rounds; index += 1) {
      const label = opts.rounds > 1 ? `round ${index}/${opts.rounds}` : 'running';
      if (opts.baseline) process.stderr.write(`${label}: the choreography floor\n`);
      const floor = opts.baseline
        ? await runBaseline(opts.baselineScript, opts.inFlight, opts.seconds, opts.warmup)
        : undefined;
      const ours = await runClosedLoop({
        port: ports.coordinator,
        inFlight: opts.inFlight,
        seconds: opts.seconds,
        warmupSeconds: opts.warmup,
        sku: opts.sku,
        servicePids,
        pidsByService: Object.fromEntries(
          serviceNames.map((name) => [name, pidsListeningOn([ports[name]])]),
        ),
        onProgress: (done, elapsed) =>
          progress(label, Math.min(Math.round(elapsed * 10), opts.seconds * 10), opts.seconds * 10),
      });
      process.stderr.write('\n');
      rounds.push({ ours, floor });
    }
    const result = summarizeRounds(rounds);
    completed = result.completed_in_all;
    clean = result.failures === 0;
    report = { mode: 'closed-loop', in_flight: opts.inFlight, ...result };
  }
  const stockAfter = await stockOf(inventory, opts.sku);
  inventory.close();
  const stock = { sku: opts.sku, dropped: stockBefore - stockAfter, expected_drop: completed };
  report = { ...report, stock };
  if (opts.json) console.log(JSON.stringify(report));
  else console.log(render(report));
  process.exit(clean && stock.dropped === stock.expected_drop ? 0 : 1);
}

async function benchRestarts(
  services: readonly ServiceName[],
  restarts: number,
  ports: Record<ServiceName, number>,
  json: boolean,
): Promise<void> {
  // Each start must bind its own port: a running copy would answer the readiness polls.
  const busy = services.filter((service) => pidsListeningOn([ports[service]]).length > 0);
  if (busy.length > 0) {
    const taken = busy.map((service) => `${portVariables[service]}=${ports[service]}`);
    throw new Error(`stop the system first: ${taken.join(', ')} already taken`);
  }
  const report = await runRestarts({
    services,
    restarts,
    entryPoint: (service) => path.join(__dirname, '..', serviceEntryPoints[service as ServiceName]),
    port: (service) => ports[service as ServiceName],
    nodeFlags: serviceNodeFlags,
    readyTimeoutMs: 60_000,
  });
  console.log(json ? JSON.stringify({ mode: 'restart', ...report }) : renderRestarts(report));
}

function renderRestarts(report: RestartReport): string {
  const header = `${'service'.padEnd(12)} ${'first ms'.padStart(9)} ${'ready ms (median, min-max)'.padStart(28)} ${'CPU ms (median, min-max)'.padStart(26)}`;
  const rows = report.services.map(
    (r) =>
      `${r.service.padEnd(12)} ${String(r.first_ms).padStart(9)} ${`${r.ready_ms.median} (${r.ready_ms.min}-${r.ready_ms.max})`.padStart(28)} ${`${r.cpu_ms.median} (${r.cpu_ms.min}-${r.cpu_ms.max})`.padStart(26)}`,
  );
  return [
    header,
    ...rows,
    '',
    `${report.services[0]?.restarts ?? 0} restarts per service; load average before: ${report.load_average_1m_before} on ${report.cpus} CPUs`,
  ].join('\n');
}

/** Wide enough for `order saga (closed-loop, saga vN)`. */
const NAME_WIDTH = 34;

function render(report: Record<string, unknown>): string {
  const r = report as Record<string, never> & {
    sagas_per_s: number;
    latency_ms: { p50: number; p95: number; p99: number };
    cpu_ms_per_saga: { services: number; postgres: number; rabbitmq: number; total: number };
    service_cpu_ms_per_saga?: Record<string, number>;
    saga_version?: number;
    baseline?: LoopResult;
    ratio_to_baseline?: Ratios;
    rounds?: Array<{ ratio_to_baseline?: Ratios }>;
  };
  const row = (
    name: string,
    x: Pick<LoopResult, 'sagas_per_s' | 'latency_ms' | 'cpu_ms_per_saga'>,
  ) =>
    `${name.padEnd(NAME_WIDTH)} ${String(x.sagas_per_s).padStart(9)} ${[x.latency_ms.p50, x.latency_ms.p95, x.latency_ms.p99].map((v) => String(v).padStart(9)).join(' ')}  ${String(x.cpu_ms_per_saga.total).padStart(7)} (svc ${x.cpu_ms_per_saga.services}, pg ${x.cpu_ms_per_saga.postgres}, mq ${x.cpu_ms_per_saga.rabbitmq})`;
  const version = r.saga_version === undefined ? '' : `, saga v${String(r.saga_version)}`;
  const lines = [
    `${'system'.padEnd(NAME_WIDTH)} ${'sagas/s'.padStart(9)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'p99 ms'.padStart(9)}  CPU ms per saga`,
    row(`order saga (${String(report.mode)}${version})`, r),
  ];
  if (r.service_cpu_ms_per_saga) {
    const split = Object.entries(r.service_cpu_ms_per_saga).map(([name, ms]) => `${name} ${ms}`);
    lines.push(`${''.padEnd(NAME_WIDTH)} services' CPU ms per saga: ${split.join(', ')}`);
  }
  if (r.baseline) lines.push(row('choreography floor', r.baseline));
  if (r.ratio_to_baseline) {
    const q = r.ratio_to_baseline;
    if (r.rounds) lines[0] = `${lines[0]}   (medians of ${r.rounds.length} rounds)`;
    lines.push(
      `${'ratio to the floor'.padEnd(NAME_WIDTH)} ${`${q.sagas_per_s}×`.padStart(9)} ${[q.latency_p50, q.latency_p95, q.latency_p99].map((v) => `${v}×`.padStart(9)).join(' ')}`,
    );
  }
  r.rounds?.forEach(({ ratio_to_baseline: q }, index) => {
    if (!q) return;
    const figures = [q.sagas_per_s, q.latency_p50, q.latency_p95, q.latency_p99];
    lines.push(
      `${`  round ${index + 1}`.padEnd(NAME_WIDTH)} ${figures.map((v) => `${v}×`.padStart(9)).join(' ')}`,
    );
  });
  lines.push('', JSON.stringify(report, null, 2));
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
