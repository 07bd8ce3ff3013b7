import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { BrokerConnection } from '../../lib/messaging/connection';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { exchanges, queues } from '../../lib/messaging/topology';
import { StepBreakers } from '../../coordinator/breaker/step-breakers';
import { stepRoutes } from '../../coordinator/http/admin-steps';
import { parseJson } from '../../lib/http/json-body';
import { problemHandler } from '../../lib/http/problem';
import { request } from '../helpers/api';
import { OrderIntake } from '../../coordinator/order-intake';
import { OutboxDispatcher } from '../../coordinator/outbox-dispatcher';
import { OutboxRelay } from '../../coordinator/outbox-relay';
import { SagaRunner } from '../../coordinator/saga-runner';
import { TimeoutSweeper } from '../../coordinator/timeout-sweeper';
import { collect, connectedBroker, migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { waitFor } from '../helpers/wait';

const STEP_TIMEOUT_MS = 30_000;

describe('step breakers: pause and resume (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(30_000);
  let db: Database;
  let broker: BrokerConnection;
  let publisher: ConfirmPublisher;
  let payments: Awaited<ReturnType<typeof collect>>;

  const breakersOf = (overrides: { minOutcomes?: number; openMs?: number } = {}) =>
    new StepBreakers(db, publisher, {
      enabled: true,
      failureRate: 0.5,
      minOutcomes: overrides.minOutcomes ?? 20,
      windowMs: 10_000,
      openMs: overrides.openMs ?? 60_000,
      probes: 3,
      releasePerSecond: 4,
      intervalMs: 250,
      stepTimeoutMs: STEP_TIMEOUT_MS,
    });

  before(async () => {
    const namespace = await createNamespace('breakers');
    db = await migratedDatabase(namespace.config, 'orders');
    broker = await connectedBroker(namespace.config);
    publisher = new ConfirmPublisher(broker);
    payments = await collect(broker, queues.payment);
  });

  after(async () => {
    await payments?.stop();
    await broker?.close();
    await db?.destroy();
  });

  const submitThrough = async (dispatcher: OutboxDispatcher) => {
    const intake = new OrderIntake(db, (_accepted, outbox) => dispatcher.dispatch(outbox), {
      maxRetryAttempts: 2,
      stepTimeoutMs: STEP_TIMEOUT_MS,
    });
    const { order } = await intake.submit({
      order_id: `breaker-${randomUUID().slice(0, 8)}`,
      user_id: 'u',
      items: ['Book'],
      total: 20,
    });
    return order.saga_id;
  };
  const heldFor = async (sagaId: string) =>
    Number(
      (
        await db('outbox')
          .where('body', 'like', `%${sagaId}%`)
          .count<Array<{ count: string }>>('* as count')
      )[0]!.count,
    );
  const published = (sagaId: string) =>
    payments.received.filter((m) => m.content.toString().includes(sagaId)).length;

  it('given an operator paused payment on one coordinator, when orders arrive at another, then their commands stay in the outbox, no timeout burns an attempt, and a resume releases them gradually', async () => {
    const first = breakersOf();
    const second = breakersOf();
    await first.pause('payment', 'ops', 'provider maintenance');
    await second.refresh();
    expect(second.stateOf('payment')).to.equal('paused');

    const dispatcher = new OutboxDispatcher(db, publisher, {
      holds: (key) => second.heldRoutingKeys().includes(key),
    });
    const sagas: string[] = [];
    for (let i = 0; i < 6; i += 1) sagas.push(await submitThrough(dispatcher));
    const relay = new OutboxRelay(db, publisher, {
      graceMs: 0,
      heldRoutingKeys: () => second.heldRoutingKeys(),
    });
    expect(await relay.runOnce()).to.equal(0);
    await db('sagas')
      .whereIn('saga_id', sagas)
      .update({ deadline_at: db.raw("now() - interval '1 second'") });
    // The queue is not asked: a held step's sagas must not even be picked up.
    const unasked = { reachableForMs: () => 60_000, check: () => Promise.resolve(undefined) };
    const sweeper = new TimeoutSweeper(
      db,
      new SagaRunner(db, () => undefined, STEP_TIMEOUT_MS),
      unasked,
      {
        intervalMs: 60_000,
        stuckTimeoutSeconds: 3600,
        heldSteps: () => second.heldSteps(),
      },
    );
    expect(await sweeper.runOnce()).to.equal(0);
    await dispatcher.stop();
    for (const saga of sagas) expect(await heldFor(saga), saga).to.equal(1);
    expect(sagas.map(published)).to.deep.equal([0, 0, 0, 0, 0, 0]);

    await second.resume('payment', 'ops', 'provider back');
    expect(second.stateOf('payment')).to.equal('releasing');
    // 4 a second at a run every 250 ms: one command per run, never the whole backlog at once.
    await second.runOnce();
    expect(sagas.map(published).reduce((a, b) => a + b, 0)).to.be.at.most(1);
    await waitFor(
      'the backlog to be released and the step to close',
      async () => {
        await second.runOnce();
        return { state: second.stateOf('payment'), sent: sagas.map(published) };
      },
      ({ state, sent }) => state === 'closed' && sent.every((n) => n === 1),
      { timeoutMs: 10_000, intervalMs: 10 },
    );
    const rows = await db('sagas').whereIn('saga_id', sagas).select('deadline_at');
    for (const row of rows)
      expect((row.deadline_at as Date).getTime()).to.be.greaterThan(
        Date.now() + STEP_TIMEOUT_MS / 2,
      );
    const resumed = await db('timeline').whereIn('saga_id', sagas).where({ type: 'STEP_RESUMED' });
    expect(resumed).to.have.length(6);
    await first.refresh();
    expect(first.stateOf('payment')).to.equal('closed');
  });

  it('given payment fails at its threshold rate, then its breaker opens for every coordinator and an operator resume is needed to lift a pause', async () => {
    const first = breakersOf({ minOutcomes: 4 });
    const second = breakersOf({ minOutcomes: 4 });
    await first.refresh();
    await first.observe([
      { step: 'payment', outcome: 'success' },
      { step: 'payment', outcome: 'failure' },
      { step: 'payment', outcome: 'failure' },
    ]);
    expect(first.stateOf('payment')).to.equal('closed');
    await first.observe([{ step: 'payment', outcome: 'failure' }]);
    expect(first.stateOf('payment')).to.equal('open');
    await second.refresh();
    expect(second.isHeld('payment')).to.equal(true);
    expect(second.isHeld('inventory')).to.equal(false);

    await second.pause('payment', 'ops', 'hold it');
    // An automatic change never undoes an operator's pause.
    await first.observe([{ step: 'payment', outcome: 'success' }]);
    await first.runOnce();
    expect(first.stateOf('payment')).to.equal('paused');
    await first.resume('payment', 'ops', 'done');
    await waitFor(
      'the step to close once nothing is held',
      async () => {
        await first.runOnce();
        return first.stateOf('payment');
      },
      (state) => state === 'closed',
    );
  });

  it('given a probe fails, when the step is half-open again, then a fresh set of probes goes out, and their success releases the rest', async () => {
    const marker = randomUUID();
    await db('outbox').insert(
      Array.from({ length: 10 }, (_, i) => ({
        message_id: `${marker}-${i}`,
        exchange: exchanges.commands,
        routing_key: queues.payment,
        type: 'payment.authorize',
        body: JSON.stringify({ saga_id: randomUUID(), marker }),
        headers: {},
      })),
    );
    const breakers = breakersOf({ minOutcomes: 2, openMs: 50 });
    const sent = () =>
      payments.received.filter((m) => m.content.toString().includes(marker)).length;
    const until = (state: string) =>
      waitFor(
        `the payment breaker to be ${state}`,
        async () => {
          await breakers.runOnce();
          return breakers.stateOf('payment');
        },
        (seen) => seen === state,
        { timeoutMs: 5_000, intervalMs: 20 },
      );
    await breakers.refresh();
    await breakers.observe([
      { step: 'payment', outcome: 'failure' },
      { step: 'payment', outcome: 'failure' },
    ]);
    expect(breakers.stateOf('payment')).to.equal('open');

    await until('half_open');
    await waitFor(
      '3 probes',
      async () => sent(),
      (n) => n === 3,
    );
    await breakers.observe([{ step: 'payment', outcome: 'failure' }]);
    expect(breakers.stateOf('payment')).to.equal('open');
    await until('half_open');
    await waitFor(
      '3 more probes',
      async () => sent(),
      (n) => n === 6,
    );

    await breakers.observe(
      [1, 2, 3].map(() => ({ step: 'payment' as const, outcome: 'success' as const })),
    );
    await until('closed');
    await waitFor(
      'every held command',
      async () => sent(),
      (n) => n === 10,
    );
  });

  it('given the admin step routes, when an operator pauses and resumes shipping over HTTP, then the answers show who did it and an unknown step is a 404', async () => {
    const breakers = breakersOf();
    const app = express()
      .use(parseJson('1mb'))
      .use(stepRoutes({ db, breakers }))
      .use(problemHandler(() => undefined));
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const paused = await request<{ state: string; actor: string; reason: string }>(
        `${api}/admin/steps/shipping/pause`,
        { body: { actor: 'ops', reason: 'carrier maintenance' } },
      );
      expect(paused.status).to.equal(200);
      expect(paused.body).to.include({
        step: 'shipping',
        state: 'paused',
        actor: 'ops',
        reason: 'carrier maintenance',
      });
      const listed = await request<{ steps: Array<{ step: string; state: string }> }>(
        `${api}/admin/steps`,
      );
      expect(listed.body.steps.map((s) => [s.step, s.state])).to.deep.equal([
        ['risk', 'closed'],
        ['payment', 'closed'],
        ['inventory', 'closed'],
        ['shipping', 'paused'],
      ]);
      const resumed = await request(`${api}/admin/steps/shipping/resume`, { method: 'POST' });
      expect(resumed.body).to.include({ state: 'releasing', actor: 'admin' });
      const unknown = await request(`${api}/admin/steps/billing/pause`, { method: 'POST' });
      expect(unknown.status).to.equal(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
