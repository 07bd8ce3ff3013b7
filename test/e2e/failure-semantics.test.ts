import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { OrderView, TimelineEvent, TimelineView, request } from '../helpers/api';
import { TEST_ADMIN_TOKEN, createNamespace, management } from '../helpers/namespace';
import { System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const MAX_RETRY_ATTEMPTS = 2;

describe('failure semantics (all four services as processes)', function () {
  this.timeout(90_000);
  let system: System;
  let api: string;

  before(async function () {
    system = new System(
      await createNamespace('failures', {
        MAX_RETRY_ATTEMPTS: String(MAX_RETRY_ATTEMPTS),
        RETRY_DELAY_SECONDS: '0.2',
        STEP_TIMEOUT_SECONDS: '1',
      }),
    );
    await system.start();
    api = system.url('coordinator');
  });

  after(async () => {
    await system?.stop();
  });

  const submit = async (body: Record<string, unknown>) => {
    const orderId = `f-${randomUUID().slice(0, 8)}`;
    const answer = await request(`${api}/orders`, {
      body: { order_id: orderId, user_id: 'u', ...body },
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    return orderId;
  };
  const settled = (
    orderId: string,
    statuses = ['COMPLETED', 'CANCELLED', 'STUCK'],
    timeoutMs = 20_000,
  ) =>
    waitFor(
      `order ${orderId} to reach ${statuses.join('/')}`,
      async () => (await request<OrderView>(`${api}/orders/${orderId}`)).body,
      (order) => statuses.includes(order?.status),
      { timeoutMs },
    );
  const timeline = async (orderId: string): Promise<TimelineEvent[]> =>
    (await request<TimelineView>(`${api}/orders/${orderId}/timeline`)).body.events;
  const ofType = (events: TimelineEvent[], type: string) => events.filter((e) => e.type === type);
  const stock = async (sku: string) =>
    (
      await request<{ available: number; reserved: number }>(
        `${system.url('inventory')}/stock/${sku}`,
      )
    ).body;
  const worker = async <T>(service: 'payment' | 'inventory' | 'shipping', path: string) =>
    (await request<T>(`${system.url(service)}${path}`)).body;

  describe('business failures compensate', () => {
    for (const step of ['payment', 'inventory', 'shipping'] as const) {
      it(`given simulate decline at ${step}, when the order runs, then it is CANCELLED there with every completed step undone`, async () => {
        const before = await stock('Pen');

        const orderId = await submit({
          items: ['Pen'],
          total: 2,
          simulate: { step, mode: 'decline' },
        });

        const order = await settled(orderId);
        expect(order.status).to.equal('CANCELLED');
        expect(order.reason).to.include({ step, code: 'SIMULATED_DECLINE' });
        expect(await stock('Pen')).to.deep.equal(before);
        const events = await timeline(orderId);
        expect(ofType(events, 'STEP_FAILED').map((e) => e.step)).to.deep.equal([step]);
        const compensations = ofType(events, 'COMMAND_SENT')
          .map((e) => e.command)
          .filter((c) => /void|release|cancel/.test(c!));
        const expected = {
          payment: [],
          inventory: ['payment.void'],
          shipping: ['inventory.release', 'payment.void'],
        }[step];
        expect(compensations).to.deep.equal(expected);
        expect(ofType(events, 'COMPENSATION_STARTED')).to.have.length(step === 'payment' ? 0 : 1);
        if (step !== 'payment') {
          const payments = await worker<{ authorizations: Array<{ status: string }> }>(
            'payment',
            `/payments/${orderId}`,
          );
          expect(payments.authorizations.map((a) => a.status)).to.deep.equal(['VOIDED']);
        }
        if (step === 'shipping') {
          const reservation = await worker<{ status: string }>(
            'inventory',
            `/reservations/${orderId}`,
          );
          expect(reservation.status).to.equal('RELEASED');
        }
      });
    }

    it('given ten units of a SKU and sixty concurrent one-unit orders, then exactly ten complete and fifty are cancelled', async () => {
      const sku = `Scarce-${randomUUID().slice(0, 6)}`;
      await request(`${system.url('inventory')}/stock/${sku}`, {
        method: 'PUT',
        body: { available: 10 },
      });

      const orderIds = await Promise.all(
        Array.from({ length: 60 }, () => submit({ items: [sku], total: 1 })),
      );

      const orders = await Promise.all(orderIds.map((id) => settled(id)));
      const count = (status: string) => orders.filter((o) => o.status === status).length;
      expect({ completed: count('COMPLETED'), cancelled: count('CANCELLED') }).to.deep.equal({
        completed: 10,
        cancelled: 50,
      });
      expect(await stock(sku)).to.deep.equal({ sku, available: 0, reserved: 10 });
    });
  });

  describe('technical failures are retried', () => {
    it('given simulate error twice at payment, when the order runs, then it completes after two scheduled retries', async () => {
      const orderId = await submit({
        items: ['Pen'],
        total: 2,
        simulate: { step: 'payment', mode: 'error', times: 2 },
      });

      const order = await settled(orderId);

      expect(order.status).to.equal('COMPLETED');
      const retries = ofType(await timeline(orderId), 'RETRY_SCHEDULED');
      expect(retries.map((r) => [r.step, r.attempt])).to.deep.equal([
        ['payment', 1],
        ['payment', 2],
      ]);
      expect(retries.every((r) => typeof r.delay_ms === 'number' && r.delay_ms > 0)).to.equal(true);
      const payments = await worker<{ authorizations: unknown[] }>(
        'payment',
        `/payments/${orderId}`,
      );
      expect(payments.authorizations).to.have.length(1);
    });

    it('given simulate timeout once at inventory, when the order runs, then the same command id is re-sent and it completes', async () => {
      const orderId = await submit({
        items: ['Pen'],
        total: 2,
        simulate: { step: 'inventory', mode: 'timeout', times: 1 },
      });

      const order = await settled(orderId);

      expect(order.status).to.equal('COMPLETED');
      const events = await timeline(orderId);
      expect(ofType(events, 'STEP_TIMED_OUT').map((e) => e.step)).to.deep.equal(['inventory']);
      const sends = ofType(events, 'COMMAND_SENT').filter((e) => e.command === 'inventory.reserve');
      expect(sends.map((s) => s.attempt)).to.deep.equal([1, 2]);
      expect(sends[0]!.command_id).to.equal(sends[1]!.command_id);
    });

    it('given simulate crash once at shipping, when the worker dies mid-message, then it restarts and the order completes with one shipment', async () => {
      const restartsBefore = system.restarts.get('shipping') ?? 0;

      const orderId = await submit({
        items: ['Pen'],
        total: 2,
        simulate: { step: 'shipping', mode: 'crash', times: 1 },
      });

      const order = await settled(orderId);
      expect(order.status).to.equal('COMPLETED');
      expect(system.restarts.get('shipping') ?? 0).to.equal(restartsBefore + 1);
      const shipments = await worker<{ shipments: unknown[] }>('shipping', `/shipments/${orderId}`);
      expect(shipments.shipments).to.have.length(1);
      await system.waitReady('shipping');
    });
  });

  describe('dead letters make a saga STUCK', () => {
    it('given simulate poison at inventory, when the order runs, then it is STUCK within a second with no retry', async () => {
      const orderId = await submit({
        items: ['Pen'],
        total: 2,
        simulate: { step: 'inventory', mode: 'poison' },
      });
      await waitFor(
        'payment to succeed',
        async () => (await request<OrderView>(`${api}/orders/${orderId}`)).body,
        (o) => o.status !== 'PENDING',
      );
      const started = Date.now();

      const order = await settled(orderId, ['STUCK', 'COMPLETED', 'CANCELLED'], 5_000);

      expect(order.status).to.equal('STUCK');
      expect(Date.now() - started).to.be.below(1_000);
      expect(order.reason).to.include({ step: 'inventory', code: 'POISON' });
      const events = await timeline(orderId);
      expect(ofType(events, 'DEAD_LETTERED')).to.have.length(1);
      expect(ofType(events, 'RETRY_SCHEDULED')).to.have.length(0);
      expect(events[events.length - 1]!.type).to.equal('SAGA_STUCK');
    });

    it('given the seed force_fail order, when payment always fails, then it is STUCK with its command in the payment DLQ after exactly MAX_RETRY_ATTEMPTS retries', async () => {
      const orderId = `999-${randomUUID().slice(0, 6)}`;
      const accepted = await request(`${api}/orders`, {
        body: {
          order_id: orderId,
          user_id: '42',
          items: ['Laptop'],
          total: 2000,
          force_fail: true,
        },
      });
      expect(accepted.status).to.equal(202);

      const order = await settled(orderId);

      expect(order).to.include({ status: 'STUCK', step: 'payment' });
      const events = await timeline(orderId);
      expect(ofType(events, 'RETRY_SCHEDULED')).to.have.length(MAX_RETRY_ATTEMPTS);
      expect(ofType(events, 'DEAD_LETTERED')).to.have.length(1);
      const dlq = (await management(
        'POST',
        `/api/queues/${encodeURIComponent(system.namespace.vhost)}/payment.commands.dlq/get`,
        { count: 100, ackmode: 'ack_requeue_true', encoding: 'auto' },
      )) as Array<{ properties: { headers: Record<string, unknown> } }>;
      const mine = dlq.filter((m) => m.properties.headers['x-order-id'] === orderId);
      expect(mine).to.have.length(1);
      expect(mine[0]!.properties.headers).to.include({
        'x-origin-queue': 'payment.commands',
        'x-command': 'payment.authorize',
        'x-attempts': MAX_RETRY_ATTEMPTS + 1,
        'x-step': 'payment',
      });
    });
  });

  describe('late and orphan replies', () => {
    it('given a completed order, when a late shipping.rejected for it arrives, then it is recorded as late and nothing else changes', async () => {
      // Arrange
      const orderId = await submit({ items: ['Pen'], total: 2 });
      const order = await settled(orderId);
      expect(order.status).to.equal('COMPLETED');
      const before = await timeline(orderId);
      const stockBefore = await stock('Pen');
      const commandId = `${order.saga_id}/shipping.create`;
      const late = {
        message_id: randomUUID(),
        type: 'shipping.rejected',
        saga_id: order.saga_id,
        order_id: orderId,
        step: 'shipping',
        attempt: 1,
        correlation_id: order.saga_id,
        causation_id: null,
        occurred_at: new Date().toISOString(),
        data: { command_id: commandId, code: 'NO_CARRIER', message: 'answered after the fact' },
      };

      // Act
      const published = (await management(
        'POST',
        `/api/exchanges/${encodeURIComponent(system.namespace.vhost)}/saga.replies/publish`,
        {
          routing_key: 'coordinator.replies',
          payload: JSON.stringify(late),
          payload_encoding: 'string',
          // Sent as a worker: the coordinator takes replies only from the workers' accounts.
          properties: {
            message_id: late.message_id,
            type: late.type,
            delivery_mode: 2,
            user_id: system.namespace.config.authors.workers[0],
          },
        },
      )) as { routed: boolean };
      const after = await waitFor(
        'the late reply to be on the timeline',
        () => timeline(orderId),
        (events) => events.length > before.length,
      );

      // Assert
      expect(published.routed).to.equal(true);
      expect(after.slice(0, before.length)).to.deep.equal(before);
      const added = after.slice(before.length) as Array<TimelineEvent & { at: string }>;
      expect(added.map(({ at: _at, ...entry }) => entry)).to.deep.equal([
        {
          seq: before.length + 1,
          type: 'REPLY_RECEIVED',
          step: 'shipping',
          reply: 'shipping.rejected',
          command_id: commandId,
          late: true,
        },
      ]);
      expect((await request<OrderView>(`${api}/orders/${orderId}`)).body).to.include({
        status: 'COMPLETED',
      });
      expect(await stock('Pen')).to.deep.equal(stockBefore);
      const shipments = await worker<{ shipments: Array<{ status: string }> }>(
        'shipping',
        `/shipments/${orderId}`,
      );
      expect(shipments.shipments.map((s) => s.status)).to.deep.equal(['CREATED']);
    });
  });
});

describe('stuck sagas expire (all four services as processes)', function () {
  this.timeout(60_000);
  let system: System;

  before(async () => {
    system = new System(
      await createNamespace('expiry', {
        MAX_RETRY_ATTEMPTS: '1',
        RETRY_DELAY_SECONDS: '0.1',
        STUCK_TIMEOUT_SECONDS: '1',
      }),
    );
    await system.start();
  });

  after(async () => {
    await system?.stop();
  });

  it('given a saga stuck at inventory, when STUCK_TIMEOUT_SECONDS pass, then it is compensated to CANCELLED and its payment voided', async () => {
    const api = system.url('coordinator');
    const orderId = `expire-${randomUUID().slice(0, 6)}`;
    await request(`${api}/orders`, {
      body: {
        order_id: orderId,
        user_id: 'u',
        items: ['Pen'],
        total: 2,
        simulate: { step: 'inventory', mode: 'error' },
      },
    });

    await waitFor(
      'the saga to become STUCK',
      async () => (await request<OrderView>(`${api}/orders/${orderId}`)).body,
      (o) => o.status === 'STUCK',
    );
    const order = await waitFor(
      'the stuck saga to be compensated',
      async () => (await request<OrderView>(`${api}/orders/${orderId}`)).body,
      (o) => o.status === 'CANCELLED',
      { timeoutMs: 15_000 },
    );

    expect(order.reason).to.include({ step: 'inventory' });
    const payments = await request<{ authorizations: Array<{ status: string }> }>(
      `${system.url('payment')}/payments/${orderId}`,
    );
    expect(payments.body.authorizations.map((a) => a.status)).to.deep.equal(['VOIDED']);
    const types = (
      await request<TimelineView>(`${api}/orders/${orderId}/timeline`)
    ).body.events.map((e) => e.type);
    expect(types.indexOf('SAGA_STUCK')).to.be.below(types.indexOf('COMPENSATION_STARTED'));
    expect(types[types.length - 1]).to.equal('SAGA_CANCELLED');
  });
});

/**
 * Retry timings where a step deadline armed by a send alone would fire during the retry
 * schedule (0.5 + 1 + 2 s of retries, each up to 20 % longer, against a 2.5 s step timeout)
 * while the longest single retry wait (2.4 s) stays within it: only retry notices that count
 * after a replay keep a second copy of the command from being sent.
 */
const REPLAY_RETRIES = 3;

describe('replays keep one copy in flight (all four services as processes)', function () {
  this.timeout(90_000);
  let system: System;
  let api: string;
  const admin = <T>(path: string, init: { method?: string; body?: unknown } = {}) =>
    request<T>(`${api}${path}`, { ...init, token: TEST_ADMIN_TOKEN });

  before(async () => {
    system = new System(
      await createNamespace('replays', {
        MAX_RETRY_ATTEMPTS: String(REPLAY_RETRIES),
        RETRY_DELAY_SECONDS: '0.5',
        STEP_TIMEOUT_SECONDS: '2.5',
      }),
    );
    await system.start();
    api = system.url('coordinator');
  });

  afterEach(async () => {
    await admin('/admin/faults', { method: 'DELETE' });
  });

  after(async () => {
    await system?.stop();
  });

  const order = async (orderId: string) =>
    (await request<OrderView>(`${api}/orders/${orderId}`)).body;
  const untilStatus = (orderId: string, status: string, timeoutMs = 20_000) =>
    waitFor(
      `order ${orderId} to be ${status}`,
      () => order(orderId),
      (o) => o?.status === status,
      { timeoutMs },
    );
  const timeline = async (orderId: string): Promise<TimelineEvent[]> =>
    (await request<TimelineView>(`${api}/orders/${orderId}/timeline`)).body.events;
  const replay = async (sagaId: string) => {
    const answer = await admin<{ result: string }>(`/admin/sagas/${sagaId}/replay`, {
      method: 'POST',
      body: { reason: 'try again' },
    });
    expect(answer.body.result, JSON.stringify(answer.body)).to.equal('applied');
  };
  /** Waits until `service` reports `count` active runtime fault rules on its /metrics. */
  const untilRulesApplied = (service: 'payment' | 'inventory', count: number) =>
    waitFor(
      `${service} to apply ${count} fault rule(s)`,
      async () => {
        const text = await (await fetch(`${system.url(service)}/metrics`)).text();
        return Number(/^order_saga_fault_rules_active\{[^}]*\} (\d+)/m.exec(text)?.[1]);
      },
      (active) => active === count,
    );
  /** What happened to `command` after the operator's replay, and in all. */
  const afterReplay = (events: TimelineEvent[], command: string) => {
    const replayedAt = events.find((e) => e.type === 'ADMIN_REPLAY')!.seq;
    const of = (type: string, since = 0) =>
      events.filter((e) => e.type === type && e.seq > since && e.command === command);
    return {
      retriesAfterReplay: of('RETRY_SCHEDULED', replayedAt).map((e) => e.attempt),
      deadLettersAfterReplay: of('DEAD_LETTERED', replayedAt).length,
      deadLetters: of('DEAD_LETTERED').length,
      sends: of('COMMAND_SENT').length,
      timeouts: events.filter((e) => e.type === 'STEP_TIMED_OUT'),
    };
  };

  it('given the force_fail order STUCK at payment, when it is replayed and fails again, then its retries are on the timeline, no step times out and each exhaustion dead-letters one copy', async () => {
    // Arrange
    const orderId = `999-${randomUUID().slice(0, 6)}`;
    await request(`${api}/orders`, {
      body: { order_id: orderId, user_id: '42', items: ['Laptop'], total: 2000, force_fail: true },
    });
    const stuck = await untilStatus(orderId, 'STUCK');

    // Act
    await replay(stuck.saga_id);
    await waitFor(
      'the replayed command to be dead-lettered',
      () => timeline(orderId),
      (events) => events.filter((e) => e.type === 'DEAD_LETTERED').length >= 2,
      { timeoutMs: 20_000 },
    );
    await untilStatus(orderId, 'STUCK');

    // Assert
    const seen = afterReplay(await timeline(orderId), 'payment.authorize');
    expect(seen.timeouts, 'STEP_TIMED_OUT entries').to.deep.equal([]);
    expect(seen.retriesAfterReplay).to.deep.equal([1, 2, 3]);
    expect(seen.deadLettersAfterReplay).to.equal(1);
    expect(seen.deadLetters).to.equal(2);
    expect(seen.sends, 'copies of payment.authorize sent').to.equal(2);
  });

  it('given a saga STUCK while voiding its payment, when it is replayed and the void fails again, then the compensation keeps one copy in flight too', async () => {
    // Arrange: inventory answers slowly, so payment can be made to fail between
    // its authorization and its void
    await admin('/admin/faults', {
      method: 'POST',
      body: { target: 'inventory', mode: 'latency', latency_ms: 1_500, probability: 1 },
    });
    await untilRulesApplied('inventory', 1);
    const orderId = `void-${randomUUID().slice(0, 6)}`;
    await request(`${api}/orders`, {
      body: { order_id: orderId, user_id: 'u', items: ['NoSuchThing'], total: 2 },
    });
    await untilStatus(orderId, 'PAYMENT_AUTHORIZED');
    await admin('/admin/faults', {
      method: 'POST',
      body: { target: 'payment', mode: 'error', probability: 1 },
    });
    await untilRulesApplied('payment', 2);
    const stuck = await untilStatus(orderId, 'STUCK');
    expect(stuck.step).to.equal('payment');

    // Act
    await replay(stuck.saga_id);
    await waitFor(
      'the replayed void to be dead-lettered',
      () => timeline(orderId),
      (events) => events.filter((e) => e.type === 'DEAD_LETTERED').length >= 2,
      { timeoutMs: 20_000 },
    );
    await untilStatus(orderId, 'STUCK');

    // Assert
    const seen = afterReplay(await timeline(orderId), 'payment.void');
    expect(seen.timeouts, 'STEP_TIMED_OUT entries').to.deep.equal([]);
    expect(seen.retriesAfterReplay).to.deep.equal([1, 2, 3]);
    expect(seen.deadLettersAfterReplay).to.equal(1);
    expect(seen.deadLetters).to.equal(2);
    expect(seen.sends, 'copies of payment.void sent').to.equal(2);

    // And once payment works again, a replay finishes the compensation
    await admin('/admin/faults', { method: 'DELETE' });
    await untilRulesApplied('payment', 0);
    await replay(stuck.saga_id);
    await untilStatus(orderId, 'CANCELLED');
    const payments = await request<{ authorizations: Array<{ status: string }> }>(
      `${system.url('payment')}/payments/${orderId}`,
    );
    expect(payments.body.authorizations.map((a) => a.status)).to.deep.equal(['VOIDED']);
  });
});
