import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { OrderView, TimelineEvent, TimelineView, request } from '../helpers/api';
import { TEST_ADMIN_TOKEN, createNamespace } from '../helpers/namespace';
import { System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

/**
 * The version 1 saga is held by an inventory command that gets no reply: it waits for its step
 * deadline, which is a row, so the coordinator that re-sends it is the restarted one.
 */
const STEP_TIMEOUT_SECONDS = 25;
/** Starting four services on a busy machine can take longer than the harness's default. */
const READY_MS = 90_000;
const services = ['coordinator', 'payment', 'inventory', 'shipping'] as const;

describe('saga versions across a deploy (all four services as processes)', function () {
  this.timeout(240_000);
  let system: System;
  let api: string;
  const admin = <T>(url: string, init: { method?: string; body?: unknown } = {}) =>
    request<T>(`${api}${url}`, { ...init, token: TEST_ADMIN_TOKEN });
  const order = async (orderId: string) =>
    (await request<OrderView>(`${api}/orders/${orderId}`)).body;
  const untilStatus = (orderId: string, status: string, timeoutMs = 30_000) =>
    waitFor(
      `order ${orderId} to be ${status}`,
      () => order(orderId),
      (o) => o.status === status,
      { timeoutMs },
    );
  const timeline = async (orderId: string) =>
    (await request<TimelineView>(`${api}/orders/${orderId}/timeline`)).body.events;
  const stepsOf = (events: TimelineView['events']) =>
    events.map((e) => `${e.type}${e.step ? `:${e.step}` : ''}`);
  const versionOf = async (sagaId: string) =>
    (await admin<{ version: number }>(`/sagas/${sagaId}`)).body.version;
  const outboxRows = async () => {
    const { host, port, user, password, databases } = system.namespace.config.postgres;
    const client = new Client({ host, port, user, password, database: databases.orders });
    await client.connect();
    try {
      return Number((await client.query('SELECT count(*) AS n FROM outbox')).rows[0].n);
    } finally {
      await client.end();
    }
  };
  const place = async (body: Record<string, unknown>) => {
    const orderId = `ver-${randomUUID().slice(0, 8)}`;
    const accepted = await request<OrderView>(`${api}/orders`, {
      body: { order_id: orderId, user_id: 'u', ...body },
    });
    expect(accepted.status).to.equal(202);
    return { orderId, sagaId: accepted.body.saga_id };
  };
  /** `npm run saga:check` as a deploy runs it, against this system's databases. */
  const sagaCheck = () =>
    spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/scripts/saga-check.js')], {
      env: { PATH: process.env.PATH ?? '', ...system.namespace.env },
      encoding: 'utf8',
    });

  before(async () => {
    system = new System(
      await createNamespace('versions', {
        SAGA_VERSION: '1',
        STEP_TIMEOUT_SECONDS: String(STEP_TIMEOUT_SECONDS),
      }),
    );
    for (const name of services) system.launch(name);
    await Promise.all(services.map((name) => system.waitReady(name, READY_MS)));
    api = system.url('coordinator');
  });

  after(async () => {
    await system?.stop();
  });

  it('given a version 1 saga in flight, when the coordinator restarts with SAGA_VERSION=2, then the old saga finishes on version 1 and new ones go through the fraud check', async () => {
    // Swallow the first inventory command so the version 1 saga is mid-flight across the restart.
    const rule = await admin('/admin/faults', {
      method: 'POST',
      body: { target: 'inventory', mode: 'timeout', probability: 1, count: 1, ttl_seconds: 180 },
    });
    expect(rule.status).to.equal(201);
    await waitFor(
      'the inventory worker to apply the rule',
      async () => {
        const metrics = await (await fetch(`${system.url('inventory')}/metrics`)).text();
        return Number(/^order_saga_fault_rules_active\{[^}]*\} (\d+)/m.exec(metrics)?.[1]);
      },
      (active) => active === 1,
    );
    const old = await place({ items: ['Book'], total: 20 });
    await untilStatus(old.orderId, 'PAYMENT_AUTHORIZED');
    expect(await versionOf(old.sagaId)).to.equal(1);
    // A confirmed command stays in the outbox until the coordinator deletes it (within a
    // second); killed before that, its relay would publish the swallowed command again and the
    // saga would go on without the step timeout this test is about.
    await waitFor('the coordinator to delete its confirmed commands', outboxRows, (n) => n === 0);

    // The deploy: the check passes (this code registers version 1), then the restart on v2.
    const check = sagaCheck();
    expect(check.status, check.stdout + check.stderr).to.equal(0);
    expect(check.stdout).to.match(/^1\s+reservingInventory\s+1\s+yes$/m);
    system.namespace.env.SAGA_VERSION = '2';
    await system.kill('coordinator');
    const killedAt = Date.now();
    await system.waitReady('coordinator', READY_MS);

    const fresh = await place({ items: ['Book'], total: 20 });

    await untilStatus(fresh.orderId, 'COMPLETED');
    await untilStatus(old.orderId, 'COMPLETED', (STEP_TIMEOUT_SECONDS + 30) * 1000);
    expect(await versionOf(old.sagaId)).to.equal(1);
    expect(await versionOf(fresh.sagaId)).to.equal(2);
    const oldEvents = await timeline(old.orderId);
    expect(stepsOf(oldEvents)).to.deep.equal([
      'SAGA_STARTED',
      'COMMAND_SENT:payment',
      'REPLY_RECEIVED:payment',
      'STEP_SUCCEEDED:payment',
      'COMMAND_SENT:inventory',
      'STEP_TIMED_OUT:inventory',
      'COMMAND_SENT:inventory',
      'REPLY_RECEIVED:inventory',
      'STEP_SUCCEEDED:inventory',
      'COMMAND_SENT:shipping',
      'REPLY_RECEIVED:shipping',
      'STEP_SUCCEEDED:shipping',
      'SAGA_COMPLETED',
    ]);
    // The restarted coordinator (new orders on version 2) is the one that moved it on.
    const timedOut = oldEvents.find((e) => e.type === 'STEP_TIMED_OUT') as
      (TimelineEvent & { at: string }) | undefined;
    expect(Date.parse(timedOut!.at)).to.be.greaterThan(killedAt);
    const freshEvents = await timeline(fresh.orderId);
    expect(freshEvents[0]).to.include({ type: 'SAGA_STARTED', state: 'assessingRisk' });
    expect(stepsOf(freshEvents)).to.deep.equal([
      'SAGA_STARTED',
      'COMMAND_SENT:risk',
      'REPLY_RECEIVED:risk',
      'STEP_SUCCEEDED:risk',
      'COMMAND_SENT:payment',
      'REPLY_RECEIVED:payment',
      'STEP_SUCCEEDED:payment',
      'COMMAND_SENT:inventory',
      'REPLY_RECEIVED:inventory',
      'STEP_SUCCEEDED:inventory',
      'COMMAND_SENT:shipping',
      'REPLY_RECEIVED:shipping',
      'STEP_SUCCEEDED:shipping',
      'SAGA_COMPLETED',
    ]);
    expect(freshEvents.find((e) => e.type === 'COMMAND_SENT')).to.include({
      command: 'risk.assess',
    });
  });

  it('given SAGA_VERSION=2, when an order scores above RISK_DECLINE_SCORE, then the fraud check cancels it before any payment', async () => {
    // floor(20000 / 200) + 1 unit: the score is capped at 100, above the default of 80.
    const risky = await place({ items: ['Book'], total: 20_000 });

    const cancelled = await untilStatus(risky.orderId, 'CANCELLED');

    expect(cancelled.reason).to.include({ step: 'risk', code: 'RISK_SCORE_TOO_HIGH' });
    const types = stepsOf(await timeline(risky.orderId));
    expect(types).to.deep.equal([
      'SAGA_STARTED',
      'COMMAND_SENT:risk',
      'REPLY_RECEIVED:risk',
      'STEP_FAILED:risk',
      'SAGA_CANCELLED',
    ]);
    const payments = await request(`${system.url('payment')}/payments/${risky.orderId}`);
    expect(payments.status, 'no authorization was attempted').to.equal(404);
  });
});
