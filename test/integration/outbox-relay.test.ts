import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { BrokerConnection } from '../../lib/messaging/connection';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { exchanges, queues } from '../../lib/messaging/topology';
import { OutboxRelay } from '../../coordinator/outbox-relay';
import { collect, connectedBroker, migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { waitFor } from '../helpers/wait';

describe('outbox relay (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(30_000);
  let db: Database;
  let broker: BrokerConnection;

  before(async () => {
    const { config } = await createNamespace('relay');
    db = await migratedDatabase(config, 'orders');
    broker = await connectedBroker(config);
  });

  after(async () => {
    await broker?.close();
    await db?.destroy();
  });

  const insertRows = async (count: number) => {
    const ids = Array.from({ length: count }, () => randomUUID());
    await db('outbox').insert(
      ids.map((id) => ({
        message_id: id,
        exchange: exchanges.commands,
        routing_key: queues.shipping,
        type: 'relay.test',
        body: JSON.stringify({ id }),
        headers: {},
      })),
    );
    return ids;
  };

  it('given 1,000 outbox rows, when two relays run at once, then each row is published exactly once and removed', async () => {
    const ids = await insertRows(1000);
    const consumer = await collect(broker, queues.shipping);
    const relays = [1, 2].map(
      () => new OutboxRelay(db, new ConfirmPublisher(broker), { batchSize: 50 }),
    );

    const drain = async (relay: OutboxRelay) => {
      while ((await relay.runOnce()) > 0);
    };
    await Promise.all(relays.map(drain));

    await waitFor(
      'every published message to arrive',
      async () => consumer.received.length,
      (n) => n >= ids.length,
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // let any duplicate surface
    await consumer.stop();
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

    const failure = await new OutboxRelay(db, failing).runOnce().then(
      () => undefined,
      (error: Error) => error,
    );

    expect(failure?.message).to.equal('broker refused');
    const left = await db('outbox').whereIn('message_id', ids).count({ n: '*' });
    expect(Number(left[0]!.n)).to.equal(3);
    await db('outbox').whereIn('message_id', ids).delete();
  });
});
