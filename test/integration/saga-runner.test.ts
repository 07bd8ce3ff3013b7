import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { OrderIntake } from '../../coordinator/order-intake';
import { SagaCache } from '../../coordinator/saga-cache';
import { CommittedBatch, SagaEvent, SagaRunner } from '../../coordinator/saga-runner';
import { findOrder } from '../../coordinator/repositories/orders';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { paymentDeadLettered } from '../helpers/saga-events';

describe('saga runner (real PostgreSQL)', function () {
  this.timeout(20_000);
  let db: Database;
  let runner: SagaRunner;
  let intake: OrderIntake;

  before(async () => {
    const { config } = await createNamespace('runner');
    db = await migratedDatabase(config, 'orders');
    runner = new SagaRunner(db, () => undefined, 30_000);
    intake = new OrderIntake(db, () => undefined, { maxRetryAttempts: 2, stepTimeoutMs: 30_000 });
  });

  after(async () => {
    await db?.destroy();
  });

  const startOrder = async () => {
    const orderId = `runner-${randomUUID().slice(0, 8)}`;
    const result = await intake.submit({
      order_id: orderId,
      user_id: 'u',
      items: ['Book'],
      total: 20,
    });
    return result.order.saga_id;
  };

  const authorized = (sagaId: string, messageId = randomUUID()): SagaEvent => ({
    messageId,
    sagaId,
    event: {
      type: 'payment.authorized',
      data: { command_id: `${sagaId}/payment.authorize`, authorization_id: 'auth-1' },
    },
  });

  const stateOf = async (sagaId: string) => {
    const saga = await db('sagas')
      .where({ saga_id: sagaId })
      .first('status', 'timeline_seq', 'snapshot');
    const outbox = await db('outbox').where('body', 'like', `%${sagaId}%`).count({ n: '*' });
    const timeline = await db('timeline').where({ saga_id: sagaId }).count({ n: '*' });
    return { saga, outbox: Number(outbox[0]!.n), timeline: Number(timeline[0]!.n) };
  };

  it('given a new saga, when its payment reply arrives, then snapshot, timeline and next command commit together', async () => {
    const sagaId = await startOrder();
    const before = await stateOf(sagaId);

    const outcomes = await runner.handle([authorized(sagaId)]);

    const after = await stateOf(sagaId);
    expect(outcomes).to.deep.equal(['applied']);
    expect(after.saga.status).to.equal('PAYMENT_AUTHORIZED');
    expect(after.timeline).to.equal(before.timeline + 3); // REPLY_RECEIVED, STEP_SUCCEEDED, COMMAND_SENT
    expect(after.outbox).to.equal(before.outbox + 1);
    expect(after.saga.timeline_seq).to.equal(after.timeline);
  });

  it('given an applied reply, when the same message is delivered again, then nothing changes', async () => {
    const sagaId = await startOrder();
    const reply = authorized(sagaId);
    await runner.handle([reply]);
    const before = await stateOf(sagaId);

    const outcomes = await runner.handle([reply, reply]);

    expect(outcomes).to.deep.equal(['duplicate', 'duplicate']);
    expect(await stateOf(sagaId)).to.deep.equal(before);
  });

  it('given an applied reply, when the same reply comes with a new message id, then it is ignored, changes no state and is on the timeline as a late reply', async () => {
    const sagaId = await startOrder();
    await runner.handle([authorized(sagaId)]);
    const before = await stateOf(sagaId);
    const late = authorized(sagaId);

    const outcomes = await runner.handle([late]);

    expect(outcomes).to.deep.equal(['ignored']);
    const after = await stateOf(sagaId);
    expect(after.saga.snapshot).to.deep.equal(before.saga.snapshot);
    expect(after.saga.status).to.equal(before.saga.status);
    expect(after.outbox).to.equal(before.outbox);
    expect(after.timeline).to.equal(before.timeline + 1);
    expect(after.saga.timeline_seq).to.equal(after.timeline);
    const entry = await db('timeline')
      .where({ saga_id: sagaId, seq: after.timeline })
      .first('type', 'details');
    expect(entry).to.deep.equal({
      type: 'REPLY_RECEIVED',
      details: {
        step: 'payment',
        reply: 'payment.authorized',
        command_id: `${sagaId}/payment.authorize`,
        late: true,
      },
    });
    const inbox = await db('inbox').where({ message_id: late.messageId }).first('outcome');
    expect(inbox.outcome).to.equal('ignored');

    // Delivered again, still too late: a duplicate, not a second late entry.
    expect(await runner.handle([late])).to.deep.equal(['duplicate']);
    expect(await stateOf(sagaId)).to.deep.equal(after);
  });

  it('given a STUCK saga that heard its reply late, when an operator replays it and the worker answers again with that same reply, then the reply is applied', async () => {
    const sagaId = await startOrder();
    await runner.handle([paymentDeadLettered(sagaId)]);
    expect((await stateOf(sagaId)).saga.status).to.equal('STUCK');
    // The worker did answer, after all: while the saga is STUCK the answer changes nothing.
    const answer = authorized(sagaId);
    expect(await runner.handle([answer])).to.deep.equal(['ignored']);
    const replay: SagaEvent = {
      messageId: randomUUID(),
      sagaId,
      event: { type: 'operator.replay', data: { actor: 'alice', reason: 'provider back' } },
    };
    await runner.handle([replay]);

    // The replayed command is answered from the worker's record: the same reply, same id.
    const outcomes = await runner.handle([answer]);

    expect(outcomes).to.deep.equal(['applied']);
    expect((await stateOf(sagaId)).saga.status).to.equal('PAYMENT_AUTHORIZED');
  });

  it('given a saga that settles, when its batch commits, then the order it hands on is the order as stored', async () => {
    const committed: CommittedBatch[] = [];
    const watched = new SagaRunner(db, (batch) => committed.push(batch), 30_000);
    const sagaIds = [await startOrder(), await startOrder()];
    const [settling, running] = sagaIds as [string, string];

    await watched.handle([paymentDeadLettered(settling), authorized(running)]);

    const { order_id } = (await db('sagas').where({ saga_id: settling }).first('order_id')) as {
      order_id: string;
    };
    expect(committed).to.have.length(1);
    expect([...committed[0]!.settledOrders.keys()]).to.deep.equal([order_id]);
    const stored = await findOrder(db, order_id);
    expect(stored?.status).to.equal('STUCK');
    expect(committed[0]!.settledOrders.get(order_id)).to.deep.equal(stored);
  });

  it('given a reply for an unknown saga, when it arrives, then it is recorded as an orphan', async () => {
    const orphan = authorized(randomUUID());

    const outcomes = await runner.handle([orphan]);

    expect(outcomes).to.deep.equal(['orphan']);
    const inbox = await db('inbox').where({ message_id: orphan.messageId }).first('outcome');
    expect(inbox.outcome).to.equal('orphan');
  });

  it('given replies for many sagas and a duplicate in one batch, when handled together, then each saga advances once', async () => {
    const sagaIds = await Promise.all(Array.from({ length: 20 }, startOrder));
    const replies = sagaIds.map((id) => authorized(id));

    const outcomes = await runner.handle([...replies, replies[0]!]);

    expect(outcomes.filter((o) => o === 'applied')).to.have.length(20);
    expect(outcomes[20]).to.equal('duplicate');
    const statuses = await db('sagas').whereIn('saga_id', sagaIds).pluck('status');
    expect(new Set(statuses)).to.deep.equal(new Set(['PAYMENT_AUTHORIZED']));
  });

  it('given a timeout armed before a retry notice re-armed the deadline, when it arrives, then the stale token makes it ignored: no re-send, no timeline entry', async () => {
    // Arrange
    const sagaId = await startOrder();
    const { deadline_token: armedAtSend } = await db('sagas')
      .where({ saga_id: sagaId })
      .first('deadline_token');
    await runner.handle([
      {
        messageId: randomUUID(),
        sagaId,
        event: {
          type: 'command.retry_scheduled',
          data: {
            command_id: `${sagaId}/payment.authorize`,
            command: 'payment.authorize',
            retry: 1,
            delay_ms: 5000,
            code: 'PROVIDER_UNAVAILABLE',
            message: 'payment provider answered 503',
          },
        },
      },
    ]);
    const before = await stateOf(sagaId);
    const { deadline_token: current } = await db('sagas')
      .where({ saga_id: sagaId })
      .first('deadline_token');
    const timeout = (token: string) => ({
      messageId: `timeout:${sagaId}:${token}`,
      sagaId,
      event: { type: 'step.timed_out' as const, data: { token } },
    });

    // Act
    const stale = await runner.handle([timeout(armedAtSend)]);

    // Assert
    expect(current).to.not.equal(armedAtSend);
    expect(stale).to.deep.equal(['ignored']);
    expect(await stateOf(sagaId)).to.deep.equal(before);

    // Act: the timeout of the current deadline is the one that counts
    const due = await runner.handle([timeout(current)]);

    // Assert
    expect(due).to.deep.equal(['applied']);
    const after = await stateOf(sagaId);
    expect(after.outbox).to.equal(before.outbox + 1);
    expect(after.timeline).to.equal(before.timeline + 2); // STEP_TIMED_OUT, COMMAND_SENT
  });

  describe('two coordinators on one saga (optimistic writes)', () => {
    const reserved = (sagaId: string): SagaEvent => ({
      messageId: randomUUID(),
      sagaId,
      event: { type: 'inventory.reserved', data: { command_id: `${sagaId}/inventory.reserve` } },
    });
    const timelineTypes = async (sagaId: string) =>
      (await db('timeline').where({ saga_id: sagaId }).orderBy('seq').pluck('type')) as string[];

    /** A coordinator of its own: its intake fills its runner's cache, as in a service. */
    const coordinator = () => {
      const cache = new SagaCache();
      return {
        cache,
        runner: new SagaRunner(db, () => undefined, 30_000, undefined, cache),
        intake: new OrderIntake(
          db,
          () => undefined,
          { maxRetryAttempts: 2, stepTimeoutMs: 30_000 },
          cache,
        ),
      };
    };

    it('given a saga another coordinator moved on, when this one decides on its remembered copy, then its write does not land and the event is decided again on the saga as it is', async () => {
      const a = coordinator();
      const b = coordinator();
      const { order } = await a.intake.submit({
        order_id: `cas-${randomUUID().slice(0, 8)}`,
        user_id: 'u',
        items: ['Book'],
        total: 20,
      });
      const sagaId = order.saga_id;

      const first = await b.runner.handle([authorized(sagaId)]);
      // A still remembers the saga waiting for its payment.
      const second = await a.runner.handle([reserved(sagaId)]);

      expect(first).to.deep.equal(['applied']);
      expect(second).to.deep.equal(['applied']);
      const saga = await db('sagas').where({ saga_id: sagaId }).first('state', 'revision');
      expect(saga).to.deep.equal({ state: 'creatingShipment', revision: 2 });
      const types = await timelineTypes(sagaId);
      expect(types.filter((t) => t === 'REPLY_RECEIVED')).to.have.length(2);
      expect(
        await db('timeline')
          .where({ saga_id: sagaId })
          .whereRaw(`details ->> 'late' IS NOT NULL`)
          .count({ n: '*' }),
      ).to.deep.equal([{ n: '0' }]);
    });

    it('given a saga this coordinator remembers, when a message it already applied comes again, then it is a duplicate and nothing changes', async () => {
      const a = coordinator();
      const { order } = await a.intake.submit({
        order_id: `cas-${randomUUID().slice(0, 8)}`,
        user_id: 'u',
        items: ['Book'],
        total: 20,
      });
      const event = authorized(order.saga_id);
      await a.runner.handle([event]);
      const before = await timelineTypes(order.saga_id);

      const again = await a.runner.handle([event]);

      expect(again).to.deep.equal(['duplicate']);
      expect(await timelineTypes(order.saga_id)).to.deep.equal(before);
    });

    it('given two coordinators racing on the same sagas, when each applies its own events at once, then every event is applied exactly once and no change is lost', async () => {
      const a = coordinator();
      const b = coordinator();
      const orders = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          a.intake.submit({
            order_id: `race-${randomUUID().slice(0, 6)}-${i}`,
            user_id: 'u',
            items: ['Book'],
            total: 1,
          }),
        ),
      );
      const sagaIds = orders.map((o) => o.order.saga_id);
      await a.runner.handle(sagaIds.map((id) => authorized(id)));
      const events = sagaIds.map((id) => reserved(id));

      // The same messages reach both (a redelivery racing its original), and A also remembers.
      const [fromA, fromB] = await Promise.all([a.runner.handle(events), b.runner.handle(events)]);

      for (let i = 0; i < events.length; i += 1) {
        expect([fromA[i], fromB[i]].sort()).to.deep.equal(['applied', 'duplicate']);
      }
      const states = await db('sagas').whereIn('saga_id', sagaIds).pluck('state');
      expect(new Set(states)).to.deep.equal(new Set(['creatingShipment']));
      for (const sagaId of sagaIds) {
        const sent = (
          await db('timeline').where({ saga_id: sagaId, type: 'COMMAND_SENT' }).count({ n: '*' })
        )[0]!.n;
        expect(Number(sent), sagaId).to.equal(3); // payment, inventory, shipping: each once
      }
    });
  });
});
