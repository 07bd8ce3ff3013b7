/**
 * What waiting costs (`npm run bench -- --wait-api`):
 * - wake-up: orders made to take ~200 ms longer (a latency fault rule on shipping), each awaited
 *   with GET /orders/{id}?wait=30; how long after its SAGA_COMPLETED entry the answer arrived;
 * - idle waiters: the coordinator's CPU over a few seconds with and without 1,000 clients
 *   waiting on orders that do not move (a simulated payment timeout), which are cancelled after.
 * Needs FAULT_INJECTION=on and the admin token (ADMIN_TOKEN) of the running system.
 */
import { randomBytes } from 'node:crypto';
import { processCpuSeconds } from './cpu';
import { JsonClient } from './http-client';
import { round, summary } from './stats';

export interface WaitApiOptions {
  port: number;
  adminToken: string;
  coordinatorPid: number;
  wakeSamples: number;
  idleWaiters: number;
  idleSeconds: number;
}

export async function runWaitApi(options: WaitApiOptions) {
  const client = new JsonClient(options.port, options.idleWaiters + 16);
  const admin = { authorization: `Bearer ${options.adminToken}` };
  const run = randomBytes(4).toString('hex');
  try {
    const wake = await wakeDelays(client, admin, run, options.wakeSamples);
    const idle = await idleCost(client, admin, run, options);
    return { wake_after_completed_ms: summary(wake), idle };
  } finally {
    client.close();
  }
}

async function wakeDelays(
  client: JsonClient,
  admin: Record<string, string>,
  run: string,
  samples: number,
): Promise<number[]> {
  const rule = await client.request(
    'POST',
    '/admin/faults',
    { target: 'shipping', mode: 'latency', probability: 1, latency_ms: 200, ttl_seconds: 120 },
    admin,
  );
  if (rule.status === 401 || rule.status === 403) {
    throw new Error(
      `adding a latency rule answered ${rule.status}: --wait-api slows a step through the admin API; set ADMIN_TOKEN to the running system's admin token (npm start prints the one it generated)`,
    );
  }
  if (rule.status !== 201) throw new Error(`adding a latency rule answered ${rule.status}`);
  // Workers hear of rules through the control exchange, rebroadcast every couple of seconds.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const delays: number[] = [];
  try {
    for (let i = 0; i < samples; i += 1) {
      const orderId = `bench-wake-${run}-${i}`;
      const body = { order_id: orderId, user_id: 'bench', items: ['Book'], total: 10 };
      await client.request('POST', '/orders', body);
      const answer = await client.request('GET', `/orders/${orderId}?wait=30`);
      const answeredAt = Date.now();
      const timeline = await client.request('GET', `/orders/${orderId}/timeline`);
      const events = timeline.body.events as Array<{ type: string; at: string }>;
      const completed = events.find((e) => e.type === 'SAGA_COMPLETED');
      if (answer.body.status !== 'COMPLETED' || !completed)
        throw new Error(`${orderId} did not complete`);
      delays.push(answeredAt - Date.parse(completed.at));
    }
  } finally {
    await client.request('DELETE', `/admin/faults?id=${String(rule.body.id)}`, undefined, admin);
  }
  return delays;
}

async function idleCost(
  client: JsonClient,
  admin: Record<string, string>,
  run: string,
  options: WaitApiOptions,
) {
  const without = await cpuMsPerSecond(options.coordinatorPid, options.idleSeconds);
  const orderIds = Array.from({ length: options.idleWaiters }, (_, i) => `bench-idle-${run}-${i}`);
  const sagaIds: string[] = [];
  for (const orderId of orderIds) {
    const body = {
      order_id: orderId,
      user_id: 'bench',
      items: ['Book'],
      total: 10,
      simulate: { step: 'payment', mode: 'timeout' },
    };
    const answer = await client.request('POST', '/orders', body);
    sagaIds.push(String(answer.body.saga_id));
  }
  const waiting = orderIds.map((orderId) =>
    client.request('GET', `/orders/${orderId}?wait=60`).catch(() => undefined),
  );
  // Let the requests arrive and each read its order once before measuring the idle cost.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const withWaiters = await cpuMsPerSecond(options.coordinatorPid, options.idleSeconds);
  // Cancelling settles the orders, which answers every waiting client at once.
  for (const sagaId of sagaIds) {
    await client.request('POST', `/admin/sagas/${sagaId}/cancel`, { reason: 'benchmark' }, admin);
  }
  await Promise.all(waiting);
  return {
    waiters: options.idleWaiters,
    seconds: options.idleSeconds,
    coordinator_cpu_ms_per_s_without: round(without),
    coordinator_cpu_ms_per_s_with: round(withWaiters),
  };
}

/** The process's CPU time per wall second over `seconds`. */
async function cpuMsPerSecond(pid: number, seconds: number): Promise<number> {
  const before = processCpuSeconds(pid);
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - startedAt) / 1000;
  return ((processCpuSeconds(pid) - before) * 1000) / elapsed;
}
