/**
 * The closed loop: N clients, each placing an order and waiting for its outcome through the
 * wait API (`Prefer: wait`), then placing the next. This is how a checkout loads the system, and
 * its throughput is N ÷ latency, so latency is what it measures.
 */
import { randomBytes } from 'node:crypto';
import { CpuSample, cpuPerSaga, eachPerSaga, sampleCpu, sampleEach } from './cpu';
import { JsonClient } from './http-client';
import { round, summary } from './stats';

export interface ClosedLoopOptions {
  port: number;
  inFlight: number;
  seconds: number;
  warmupSeconds: number;
  sku: string;
  servicePids: number[];
  /** The processes of each service, for the split of the services' CPU. */
  pidsByService?: Record<string, number[]>;
  onProgress?: (done: number, elapsedSeconds: number) => void;
}

export interface LoopResult {
  sagas: number;
  seconds: number;
  sagas_per_s: number;
  latency_ms: { p50: number; p95: number; p99: number };
  cpu_ms_per_saga: { services: number; postgres: number; rabbitmq: number; total: number };
  /** The services' share, service by service: where a saga's own CPU goes. */
  service_cpu_ms_per_saga?: Record<string, number>;
  /** The saga definition version the orders ran (the coordinator's SAGA_VERSION). */
  saga_version?: number;
  statuses: Record<string, number>;
  failures: number;
  /** Orders completed in the warm-up and the measured run: what the stock must have lost. */
  completed_in_all: number;
}

const settled = new Set(['COMPLETED', 'CANCELLED', 'STUCK']);

export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoopResult> {
  const client = new JsonClient(options.port, options.inFlight * 2);
  const run = randomBytes(4).toString('hex');
  let sequence = 0;
  const statuses: Record<string, number> = {};
  let failures = 0;
  let completedInAll = 0;
  let someSagaId: string | undefined;

  /** One order, from the POST to its outcome; the outcome's status, or undefined on failure. */
  const one = async (): Promise<string | undefined> => {
    const orderId = `bench-${run}-${sequence++}`;
    const body = { order_id: orderId, user_id: 'bench', items: [options.sku], total: 10 };
    let answer = await client.request('POST', '/orders', body, { prefer: 'wait=60' });
    if (typeof answer.body.saga_id === 'string') someSagaId = answer.body.saga_id;
    while (answer.status === 202 || (answer.status === 200 && !settled.has(status(answer)))) {
      answer = await client.request('GET', `/orders/${orderId}?wait=60`);
    }
    return answer.status === 201 || answer.status === 200 ? status(answer) : undefined;
  };

  const loop = async (untilMs: number, record?: number[]) => {
    while (performance.now() < untilMs) {
      const startedAt = performance.now();
      const outcome = await one().catch(() => undefined);
      if (outcome === 'COMPLETED') completedInAll += 1;
      if (!record) continue;
      if (outcome === undefined) failures += 1;
      else {
        statuses[outcome] = (statuses[outcome] ?? 0) + 1;
        record.push(performance.now() - startedAt);
      }
    }
  };

  const clients = Array.from({ length: options.inFlight });
  const warmupEnd = performance.now() + options.warmupSeconds * 1000;
  await Promise.all(clients.map(() => loop(warmupEnd)));

  const latencies: number[] = [];
  const before: CpuSample = sampleCpu(options.servicePids);
  const servicesBefore = sampleEach(options.pidsByService ?? {});
  const startedAt = performance.now();
  const progress = setInterval(
    () => options.onProgress?.(latencies.length, (performance.now() - startedAt) / 1000),
    500,
  );
  await Promise.all(clients.map(() => loop(startedAt + options.seconds * 1000, latencies)));
  clearInterval(progress);
  const seconds = (performance.now() - startedAt) / 1000;
  const after = sampleCpu(options.servicePids);
  const perService = eachPerSaga(
    servicesBefore,
    sampleEach(options.pidsByService ?? {}),
    latencies.length,
  );
  const sagaVersion = someSagaId ? await versionOf(client, someSagaId) : undefined;
  client.close();
  const cpu = cpuPerSaga(before, after, latencies.length);
  return {
    sagas: latencies.length,
    seconds: round(seconds),
    sagas_per_s: round(latencies.length / seconds, 1),
    latency_ms: summary(latencies),
    cpu_ms_per_saga: {
      services: round(cpu.services, 3),
      postgres: round(cpu.postgres, 3),
      rabbitmq: round(cpu.rabbitmq, 3),
      total: round(cpu.total, 3),
    },
    ...(options.pidsByService
      ? {
          service_cpu_ms_per_saga: Object.fromEntries(
            Object.entries(perService).map(([name, ms]) => [name, round(ms, 3)]),
          ),
        }
      : {}),
    ...(sagaVersion === undefined ? {} : { saga_version: sagaVersion }),
    statuses,
    failures,
    completed_in_all: completedInAll,
  };
}

function status(answer: { body: Record<string, unknown> }): string {
  return typeof answer.body.status === 'string' ? answer.body.status : '';
}

/** The definition version a saga runs, from its details; undefined if they cannot be read. */
async function versionOf(client: JsonClient, sagaId: string): Promise<number | undefined> {
  const answer = await client.request('GET', `/sagas/${sagaId}`).catch(() => undefined);
  const version = answer?.status === 200 ? answer.body.version : undefined;
  return typeof version === 'number' ? version : undefined;
}
