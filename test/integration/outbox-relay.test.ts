import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { BrokerConnection } from '../../lib/messaging/connection';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { exchanges, queues } from '../../lib/messaging/topology';
import { OutboxDispatcher } from '../../coordinator/outbox-dispatcher';
import { OutboxRelay } from '../../coordinator/outbox-relay';
import { collect, connectedBroker, migratedDatabase } from '../helpers/infrastructure';
import { createNamespace, management } from '../helpers/namespace';
import { waitFor } from '../helpers/wait';

describe('outbox relay (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(30_000);
  let db: Database;
  let broker: BrokerConnection;
  let namespace: Awaited<ReturnType<typeof createNamespace>>;

  before(async () => {
    namespace = await createNamespace('relay');
    db = await migratedDatabase(namespace.config, 'orders');
    broker = await connectedBroker(namespace.config);
  });

  after(async () => {
    await broker?.close();
    await db?.destroy();
  });

  const insertRows = async (count: number, routingKey: string = queues.shipping) => {
    const ids = Array.from({ length: count }, () => randomUUID());
    await db('outbox').insert(
      ids.map((id) => ({
        message_id: id,
        exchange: exchanges.commands,
        routing_key: routingKey,
        type: 'relay.test',
        body: JSON.stringify({ id }),
        headers: {},
      })),
    );
    return ids;
  };

  /** Messages ready in `queue`, as the broker counts them (nothing consumes it meanwhile). */
  const readyIn = async (queue: string) => {
    const channel = broker.createChannel();
    try {
      await channel.waitForConnect();
      return (await channel.checkQueue(queue)).messageCount;
    } finally {
      await channel.close();
    }
  };

  it('given 1,000 outbox rows, when two relays run at once, then each row is published exactly once and removed', async () => {
    const ids = await insertRows(1000);
    const relays = [1, 2].map(
      () => new OutboxRelay(db, new ConfirmPublisher(broker), { batchSize: 50, graceMs: 0 }),
    );

    const drain = async (relay: OutboxRelay) => {
      while ((await relay.runOnce()) > 0);
    };
    await Promise.all(relays.map(drain));

    // Every publish was confirmed before runOnce returned, so any duplicate is in the queue
    // by now: its depth is the number of copies published.
    const depth = await waitFor(
      'the published messages to be counted in their queue',
      () => readyIn(queues.shipping),
      (n) => n >= ids.length,
    );
    const consumer = await collect(broker, queues.shipping);
    await waitFor(
      'every queued message to be consumed',
      async () => consumer.received.length,
      (n) => n >= depth,
    );
    await consumer.stop();
    expect(depth).to.equal(ids.length);
    const published = consumer.received.map((m) => String(m.properties.messageId));
    expect(published).to.have.length(ids.length);
    expect(new Set(published)).to.deep.equal(new Set(ids));
    expect(Number((await db('outbox').count({ n: '*' }))[0]!.n)).to.equal(0);
  });

  it('given a publish that cannot be confirmed, when the relay runs, then the rows stay in the outbox for the next run', async () => {
    const ids = await insertRows(3);
    const failing = {
      publishAll: async () => {
        throw new Error('broker refused');
      },
    } as unknown as ConfirmPublisher;

    const failure = await new OutboxRelay(db, failing, { graceMs: 0 }).runOnce().then(
      () => undefined,
      (error: Error) => error,
    );

    expect(failure?.message).to.equal('broker refused');
    const left = await db('outbox').whereIn('message_id', ids).count({ n: '*' });
    expect(Number(left[0]!.n)).to.equal(3);
    await db('outbox').whereIn('message_id', ids).delete();
  });

  it('given a command queue deleted by hand, when the relay publishes a command for it, then the row is kept and the return reported until the queue is declared again', async () => {
    // Arrange
    await management(
      'DELETE',
      `/api/queues/${encodeURIComponent(namespace.vhost)}/${queues.payment}`,
    );
    const returned: string[] = [];
    const publisher = new ConfirmPublisher(broker, {
      onReturned: (message) => returned.push(message.messageId),
    });
    const relay = new OutboxRelay(db, publisher, { graceMs: 0 });
    const [id] = await insertRows(1, queues.payment);

    // Act
    const failure = await relay.runOnce().then(
      (count) => new Error(`the relay published ${count} row(s) nobody can receive`),
      (error: Error) => error,
    );

    // Assert
    const kept = await db('outbox').where({ message_id: id }).count({ n: '*' });
    expect(Number(kept[0]!.n), 'outbox rows kept').to.equal(1);
    expect(failure.message).to.match(/returned|unroutable/i);
    expect(returned).to.deep.equal([id]);

    // Act: the topology is declared again, as any service does when it (re)connects
    await connectedBroker(namespace.config).then((again) => again.close());
    const consumer = await collect(broker, queues.payment);
    const published = await relay.runOnce();

    // Assert
    expect(published).to.equal(1);
    const [delivered] = await waitFor(
      'the kept command to be delivered',
      async () => consumer.received,
      (received) => received.length >= 1,
    );
    await consumer.stop();
    expect(String(delivered!.properties.messageId)).to.equal(id);
    expect(Number((await db('outbox').count({ n: '*' }))[0]!.n)).to.equal(0);
  });

  const committedRows = async (count: number) => {
    const ids = await insertRows(count);
    const rows: Array<{ id: string; message_id: string }> = await db('outbox')
      .whereIn('message_id', ids)
      .select(db.raw('id::text AS id'), 'message_id');
    return rows.map((row) => ({
      id: row.id,
      message_id: row.message_id,
      exchange: exchanges.commands,
      routing_key: queues.shipping,
      type: 'relay.test',
      body: JSON.stringify({ id: row.message_id }),
      headers: {},
    }));
  };
  const outboxCount = async (ids: string[]) =>
    Number((await db('outbox').whereIn('message_id', ids).count({ n: '*' }))[0]!.n);

  it('given committed rows whose process died before publishing them, when the grace period passes, then the relay publishes them', async () => {
    const ids = await insertRows(5);
    const mine = new Set<string>(ids);
    const consumer = await collect(broker, queues.shipping);
    const relay = new OutboxRelay(db, new ConfirmPublisher(broker), { graceMs: 1_500 });

    const early = await relay.runOnce();
    await waitFor(
      'the rows to outlive the grace period',
      async () => relay.runOnce(),
      (published) => published > 0,
      { timeoutMs: 10_000, intervalMs: 100 },
    );

    expect(early, 'rows younger than the grace period belong to the fast path').to.equal(0);
    await waitFor(
      'the relayed messages',
      async () => consumer.received.filter((m) => mine.has(String(m.properties.messageId))).length,
      (n) => n >= ids.length,
    );
    await consumer.stop();
    // The queue is shared with the tests before: judge this test's own messages, each once.
    const own = consumer.received
      .map((m) => String(m.properties.messageId))
      .filter((id) => mine.has(id));
    expect(own).to.have.members(ids);
    expect(await outboxCount(ids)).to.equal(0);
  });

  it('given rows that just committed, when the fast path dispatches them, then they are published and then deleted', async () => {
    const rows = await committedRows(4);
    const ids = rows.map((r) => r.message_id);
    const consumer = await collect(broker, queues.shipping);
    const dispatcher = new OutboxDispatcher(db, new ConfirmPublisher(broker), {
      deleteDelayMs: 10,
    });

    dispatcher.dispatch(rows);

    await waitFor(
      'the dispatched messages',
      async () => consumer.received.length,
      (n) => n >= 4,
    );
    await waitFor(
      'the confirmed rows to be deleted',
      () => outboxCount(ids),
      (n) => n === 0,
    );
    await dispatcher.stop();
    await consumer.stop();
    expect(consumer.received.map((m) => String(m.properties.messageId))).to.have.members(ids);
  });

  it('given a fast publish that fails, when it is dispatched, then the rows stay for the relay and the failure is reported', async () => {
    const rows = await committedRows(2);
    const ids = rows.map((r) => r.message_id);
    const failing = {
      publishAll: async () => {
        throw new Error('broker refused');
      },
    } as unknown as ConfirmPublisher;
    const reported: string[] = [];
    const dispatcher = new OutboxDispatcher(db, failing, {
      onPublishFailed: (error) => reported.push((error as Error).message),
    });

    dispatcher.dispatch(rows);
    await dispatcher.stop();

    expect(reported).to.deep.equal(['broker refused']);
    expect(await outboxCount(ids)).to.equal(2);
    await db('outbox').whereIn('message_id', ids).delete();
  });
});
