import { expect } from 'chai';
import type { ConfirmChannel } from 'amqplib';
import { DeadLetterAdmin, DeadLetterPage } from '../../coordinator/admin/dead-letters';
import { deadLetterHandler } from '../../coordinator/dead-letter-events';
import { SagaRunner } from '../../coordinator/saga-runner';
import { Database } from '../../lib/db';
import { Logger } from '../../lib/logger';
import { BatchConsumer } from '../../lib/messaging/batch-consumer';
import { BrokerConnection } from '../../lib/messaging/connection';
import { exchanges, queues } from '../../lib/messaging/topology';
import { collect, connectedBroker, migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { waitFor } from '../helpers/wait';

const DLQ = 'payment.commands.dlq';
const quiet = { warn: () => undefined, error: () => undefined } as unknown as Logger;

describe('dead-letter admin (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(30_000);
  let db: Database;
  let broker: BrokerConnection;
  let mirror: BatchConsumer;
  let admin: DeadLetterAdmin;
  let channel: ConfirmChannel;

  before(async () => {
    const { config } = await createNamespace('dlqadmin');
    db = await migratedDatabase(config, 'orders');
    broker = await connectedBroker(config);
    mirror = new BatchConsumer(broker, {
      queue: queues.deadLetterEvents,
      prefetch: 64,
      maxBatch: 64,
      handle: deadLetterHandler(new SagaRunner(db, () => undefined, 30_000), quiet, db),
    });
    await mirror.start();
    admin = new DeadLetterAdmin(broker, db);
    channel = await broker.connection!.createConfirmChannel();
  });

  after(async () => {
    await channel?.close().catch(() => undefined);
    await mirror?.stop();
    await broker?.close();
    await db?.destroy();
  });

  /** Dead-letters `ids` from payment.commands the way a worker does, and waits for the mirror. */
  const deadLetter = async (ids: string[]) => {
    for (const id of ids) {
      channel.publish(exchanges.deadLetters, queues.payment, Buffer.from('{}'), {
        messageId: id,
        type: 'payment.authorize',
        persistent: true,
        headers: { 'x-origin-queue': queues.payment, 'x-error-code': 'BOOM', 'x-attempts': 3 },
      });
    }
    await channel.waitForConfirms();
    await waitFor(
      'the mirror to hold every dead letter',
      () => db('dead_letters').whereIn('message_id', ids).count({ n: '*' }).first(),
      (row) => Number(row?.n) === ids.length,
    );
  };
  const pages = async (limit: number): Promise<DeadLetterPage[]> => {
    const all: DeadLetterPage[] = [];
    let afterId: number | undefined;
    do {
      const [page] = await admin.list({ queues: [DLQ], limit, ...(afterId ? { afterId } : {}) });
      all.push(page!);
      afterId = page!.next_cursor ? Number(page!.next_cursor) : undefined;
    } while (afterId);
    return all;
  };
  /** Takes the head of the DLQ and puts it back; says whether the broker had delivered it before. */
  const headWasDelivered = async () => {
    const head = await channel.get(DLQ, { noAck: false });
    if (!head) throw new Error('the dead-letter queue is empty');
    channel.nack(head, false, true);
    // Given back asynchronously: wait until it is in the queue again.
    await waitFor(
      'the head back in the queue',
      async () => (await channel.checkQueue(DLQ)).messageCount,
      (n) => n === head.fields.messageCount + 1,
    );
    // A quorum queue counts deliveries that were given back in x-delivery-count.
    return head.fields.redelivered || Number(head.properties.headers?.['x-delivery-count']) > 0;
  };

  it('given seven dead letters, when paged three at a time, then every one is listed once in arrival order and none was delivered by the listing', async () => {
    const ids = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
    await deadLetter(ids);

    const listed = await pages(3);

    expect(listed.map((p) => p.messages.map((m) => m.message_id))).to.deep.equal([
      ['a1', 'a2', 'a3'],
      ['a4', 'a5', 'a6'],
      ['a7'],
    ]);
    expect(listed.map((p) => p.count)).to.deep.equal([7, 7, 7]);
    expect(listed[0]!.messages[0]).to.include({ reason: 'BOOM', attempts: 3 });
    expect(await headWasDelivered()).to.equal(false);
  });

  it('given some ids asked for, when replayed, then only they go back to their queue and the others stay, undelivered, in the DLQ and the listing', async () => {
    const origin = await collect(broker, queues.payment);
    try {
      const outcome = await admin.replay(DLQ, ['a2', 'a5']);
      await waitFor(
        'the replayed messages on payment.commands',
        async () => origin.received.map((m) => m.properties.messageId as string),
        (seen) => seen.length >= 2,
      );

      expect(outcome.replayed).to.equal(2);
      expect(outcome.messages.map((m) => m.message_id)).to.deep.equal(['a2', 'a5']);
      expect(origin.received.map((m) => m.properties.headers?.['x-replayed'])).to.deep.equal([
        1, 1,
      ]);
      const [left] = await admin.list({ queues: [DLQ], limit: 50 });
      expect(left!.count).to.equal(5);
      expect(left!.messages.map((m) => m.message_id)).to.deep.equal(['a1', 'a3', 'a4', 'a6', 'a7']);
      // The head check above gave a1 back once; passing over it re-published it afresh.
      expect(await headWasDelivered()).to.equal(false);
    } finally {
      await origin.stop();
    }
  });

  it('given dead letters, when all are replayed in windows and then more are purged, then the queue and its mirror end empty', async () => {
    const origin = await collect(broker, queues.payment);
    try {
      const windows: number[] = [];
      const outcome = await admin.replay(DLQ, undefined, async (views) => {
        windows.push(views.length);
      });
      await deadLetter(['b1', 'b2', 'b3']);
      const purged = await admin.purge(DLQ);

      expect(outcome.replayed).to.equal(5);
      expect(windows).to.deep.equal([5]);
      expect(purged).to.equal(3);
      const [left] = await admin.list({ queues: [DLQ], limit: 50 });
      expect(left).to.deep.include({ count: 0, messages: [], next_cursor: null });
      expect(
        await db('dead_letters').where({ queue: DLQ }).count({ n: '*' }).first(),
      ).to.deep.equal({ n: '0' });
    } finally {
      await origin.stop();
    }
  });
});
