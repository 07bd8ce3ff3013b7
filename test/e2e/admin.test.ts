import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { OrderView, TimelineView, request } from '../helpers/api';
import { TEST_ADMIN_TOKEN, createNamespace } from '../helpers/namespace';
import { System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const MAX_RETRY_ATTEMPTS = 1;

interface ActionAnswer {
  result: string;
  commands: Array<{ command: string; command_id: string }>;
}
interface DlqAnswer {
  queues: Array<{
    queue: string;
    count: number;
    messages: Array<{ message_id: string; order_id: string; obsolete: boolean }>;
    next_cursor: string | null;
  }>;
}

describe('admin API (all four services as processes)', function () {
  this.timeout(90_000);
  let system: System;
  let api: string;
  const admin = <T>(path: string, init: { method?: string; body?: unknown } = {}) =>
    request<T>(`${api}${path}`, { ...init, token: TEST_ADMIN_TOKEN });

  before(async () => {
    system = new System(
      await createNamespace('admin', {
        MAX_RETRY_ATTEMPTS: String(MAX_RETRY_ATTEMPTS),
        RETRY_DELAY_SECONDS: '0.1',
      }),
    );
    await system.start();
    api = system.url('coordinator');
  });

  after(async () => {
    await system?.stop();
  });

  const order = async (orderId: string) =>
    (await request<OrderView>(`${api}/orders/${orderId}`)).body;
  const untilStatus = (orderId: string, status: string) =>
    waitFor(
      `order ${orderId} to be ${status}`,
      () => order(orderId),
      (o) => o.status === status,
      { timeoutMs: 15_000 },
    );
  /** STUCK at payment: the error lasts one delivery more than the retries allow. */
  const stuckOrder = async () => {
    const orderId = `adm-${randomUUID().slice(0, 8)}`;
    await request(`${api}/orders`, {
      body: {
        order_id: orderId,
        user_id: 'u',
        items: ['Pen'],
        total: 2,
        simulate: { step: 'payment', mode: 'error', times: MAX_RETRY_ATTEMPTS + 1 },
      },
    });
    return untilStatus(orderId, 'STUCK');
  };
  const authorizations = async (orderId: string) =>
    (
      await request<{ authorizations: Array<{ status: string }> }>(
        `${system.url('payment')}/payments/${orderId}`,
      )
    ).body.authorizations ?? [];

  it('given no token or a wrong one, when the admin API is called, then it answers 401 and 403', async () => {
    expect((await request(`${api}/admin/sagas`)).status).to.equal(401);
    expect((await request(`${api}/admin/sagas`, { token: 'wrong' })).status).to.equal(403);
    expect((await admin('/admin/sagas')).status).to.equal(200);
  });

  it('given a tampered cursor, when stuck sagas are listed, then it is a 400 naming the cursor', async () => {
    const forged = Buffer.from(JSON.stringify({ at: 'not-a-time', sagaId: randomUUID() })).toString(
      'base64url',
    );

    const answer = await admin<{ errors: string[] }>(`/admin/sagas?cursor=${forged}&limit=0`);

    expect(answer.status).to.equal(400);
    expect(answer.body.errors).to.have.members([
      'limit: must be >= 1',
      'cursor: is not a cursor this API returned',
    ]);
  });

  it('given a stuck saga, when listed, then it shows its step, reason, age and a diagnosis', async () => {
    const stuck = await stuckOrder();

    const listing = await admin<{
      sagas: Array<{ saga_id: string; step: string; diagnosis: string; age_seconds: number }>;
    }>('/admin/sagas?status=STUCK&step=payment');

    const mine = listing.body.sagas.find((s) => s.saga_id === stuck.saga_id);
    expect(mine).to.include({ step: 'payment' });
    expect(mine!.diagnosis).to.match(/^dead-lettered command: SIMULATED_ERROR/);
    expect(mine!.age_seconds).to.be.at.least(0);
  });

  it('given a saga stuck after MAX_RETRY_ATTEMPTS + 1 errors, when replayed, then it completes with ADMIN_REPLAY and one effect per step', async () => {
    const stuck = await stuckOrder();

    const dryRun = await admin<ActionAnswer>(`/admin/sagas/${stuck.saga_id}/replay?dry_run=true`, {
      method: 'POST',
    });
    expect(dryRun.body.result).to.equal('dry_run');
    expect(dryRun.body.commands.map((c) => c.command)).to.deep.equal(['payment.authorize']);
    expect((await order(stuck.order_id)).status).to.equal('STUCK');

    const replay = await admin<ActionAnswer>(`/admin/sagas/${stuck.saga_id}/replay`, {
      method: 'POST',
      body: { actor: 'alice', reason: 'provider fixed' },
    });

    expect(replay.status).to.equal(200);
    await untilStatus(stuck.order_id, 'COMPLETED');
    const events = (await request<TimelineView>(`${api}/orders/${stuck.order_id}/timeline`)).body
      .events;
    const replayed = events.find((e) => e.type === 'ADMIN_REPLAY');
    expect(replayed).to.include({ actor: 'alice', reason: 'provider fixed' });
    const sends = events.filter(
      (e) => e.command === 'payment.authorize' && e.type === 'COMMAND_SENT',
    );
    expect(new Set(sends.map((s) => s.command_id)).size).to.equal(1);
    expect(await authorizations(stuck.order_id)).to.have.length(1);
    const shipments = await request<{ shipments: unknown[] }>(
      `${system.url('shipping')}/shipments/${stuck.order_id}`,
    );
    expect(shipments.body.shipments).to.have.length(1);
    const dlq = await admin<DlqAnswer>('/admin/dlq');
    const left = dlq.body.queues
      .flatMap((q) => q.messages)
      .filter((m) => m.order_id === stuck.order_id);
    expect(left.every((m) => m.obsolete)).to.equal(true);
  });

  it('given stuck sagas, when replayed in bulk by step, then every one of them completes', async () => {
    const stuck = await Promise.all([stuckOrder(), stuckOrder()]);

    const answer = await admin<{ count: number }>('/admin/sagas/replay', {
      method: 'POST',
      body: { step: 'payment' },
    });

    expect(answer.body.count).to.be.at.least(2);
    await Promise.all(stuck.map((s) => untilStatus(s.order_id, 'COMPLETED')));
  });

  it('given a stuck saga, when cancelled, then it is compensated to CANCELLED with ADMIN_CANCEL; a second cancel is 409', async () => {
    const stuck = await stuckOrder();

    const cancel = await admin<ActionAnswer>(`/admin/sagas/${stuck.saga_id}/cancel`, {
      method: 'POST',
      body: { reason: 'customer gave up' },
    });

    expect(cancel.status).to.equal(200);
    expect(cancel.body.commands.map((c) => c.command)).to.deep.equal(['payment.void']);
    await untilStatus(stuck.order_id, 'CANCELLED');
    const types = (
      await request<TimelineView>(`${api}/orders/${stuck.order_id}/timeline`)
    ).body.events.map((e) => e.type);
    expect(types).to.include.members(['ADMIN_CANCEL', 'COMPENSATION_STARTED', 'SAGA_CANCELLED']);
    expect(
      (await admin(`/admin/sagas/${stuck.saga_id}/cancel`, { method: 'POST' })).status,
    ).to.equal(409);
    expect(
      (await admin(`/admin/sagas/${randomUUID()}/cancel`, { method: 'POST' })).status,
    ).to.equal(404);
  });

  it('given a dead letter, when it is replayed from the DLQ, then it leaves the queue and its saga completes', async () => {
    const stuck = await stuckOrder();
    const before = await admin<DlqAnswer>('/admin/dlq');
    const entry = before.body.queues
      .find((q) => q.queue === 'payment.commands.dlq')!
      .messages.find((m) => m.order_id === stuck.order_id);
    expect(entry).to.include({ obsolete: false });

    const replay = await admin<{ replayed: number }>('/admin/dlq/payment.commands.dlq/replay', {
      method: 'POST',
      body: { message_ids: [entry!.message_id] },
    });

    expect(replay.body.replayed).to.equal(1);
    await untilStatus(stuck.order_id, 'COMPLETED');
    const after = await admin<DlqAnswer>('/admin/dlq');
    const ids = after.body.queues.flatMap((q) => q.messages.map((m) => m.message_id));
    expect(ids).to.not.include(entry!.message_id);
    expect(await authorizations(stuck.order_id)).to.have.length(1);
  });

  it('given a DLQ, when paged and then purged, then pages name their next cursor, a cursor needs its queue, and the queue ends empty', async () => {
    await stuckOrder();
    await stuckOrder();
    const first = await admin<DlqAnswer>('/admin/dlq?queue=payment.commands.dlq&limit=1');
    const cursor = first.body.queues[0]!.next_cursor;
    const second = await admin<DlqAnswer>(
      `/admin/dlq?queue=payment.commands.dlq&limit=1&cursor=${cursor}`,
    );

    expect(first.body.queues.map((q) => q.messages.length)).to.deep.equal([1]);
    expect(cursor).to.be.a('string');
    expect(second.body.queues[0]!.messages[0]!.message_id).to.not.equal(
      first.body.queues[0]!.messages[0]!.message_id,
    );
    expect((await admin(`/admin/dlq?cursor=${cursor}`)).status).to.equal(400);

    const purge = await admin<{ purged: number }>('/admin/dlq/payment.commands.dlq', {
      method: 'DELETE',
    });

    expect(purge.body.purged).to.be.at.least(1);
    const after = await admin<DlqAnswer>('/admin/dlq');
    expect(after.body.queues.find((q) => q.queue === 'payment.commands.dlq')!.count).to.equal(0);
    expect((await admin('/admin/dlq/orders/replay', { method: 'POST' })).status).to.equal(404);
  });

  it('given a runtime error rule on payment, when an order runs, then the worker applies it and the rule can be removed', async () => {
    const rule = await admin<{ id: string }>('/admin/faults', {
      method: 'POST',
      body: { target: 'payment', mode: 'error', probability: 1, count: 1, ttl_seconds: 60 },
    });
    expect(rule.status).to.equal(201);
    expect((await admin<{ rules: unknown[] }>('/admin/faults')).body.rules).to.have.length(1);
    await waitFor(
      'the payment worker to apply the rule',
      async () => {
        const metrics = await (await fetch(`${system.url('payment')}/metrics`)).text();
        return Number(/^order_saga_fault_rules_active\{[^}]*\} (\d+)/m.exec(metrics)?.[1]);
      },
      (active) => active === 1,
    );

    const orderId = `rule-${randomUUID().slice(0, 8)}`;
    await request(`${api}/orders`, {
      body: { order_id: orderId, user_id: 'u', items: ['Pen'], total: 2 },
    });

    await untilStatus(orderId, 'COMPLETED');
    const types = (
      await request<TimelineView>(`${api}/orders/${orderId}/timeline`)
    ).body.events.map((e) => e.type);
    expect(types.filter((t) => t === 'RETRY_SCHEDULED')).to.have.length(1);
    expect(
      (await admin<{ removed: number }>('/admin/faults', { method: 'DELETE' })).body.removed,
    ).to.equal(1);
    expect(
      (
        await admin('/admin/faults', {
          method: 'POST',
          body: { target: 'nowhere', mode: 'error', probability: 2 },
        })
      ).status,
    ).to.equal(400);
  });
});
