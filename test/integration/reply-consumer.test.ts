import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { createSilentLogger } from '../../lib/logger';
import { BatchConsumer } from '../../lib/messaging/batch-consumer';
import { BrokerConnection } from '../../lib/messaging/connection';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { deadLetterQueueOf, exchanges, queues } from '../../lib/messaging/topology';
import { replyConsumer } from '../../coordinator/reply-consumer';
import { SagaRunner } from '../../coordinator/saga-runner';
import { collect, connectedBroker, migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { waitFor } from '../helpers/wait';

describe('reply consumer (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(30_000);
  let db: Database;
  let broker: BrokerConnection;
  let consumer: BatchConsumer;
  let publisher: ConfirmPublisher;
  let deadLetters: Awaited<ReturnType<typeof collect>>;
  let unsigned: ConfirmPublisher;

  before(async () => {
    const { config } = await createNamespace('replies');
    db = await migratedDatabase(config, 'orders');
    broker = await connectedBroker(config);
    deadLetters = await collect(broker, deadLetterQueueOf(queues.coordinator));
    const runner = new SagaRunner(db, () => undefined, 30_000);
    consumer = replyConsumer(broker, runner, createSilentLogger(), {
      prefetch: 10,
      authors: [config.rabbitmq.user],
    });
    await consumer.start();
    publisher = new ConfirmPublisher(broker, { userId: config.rabbitmq.user });
    unsigned = new ConfirmPublisher(broker);
  });

  after(async () => {
    await consumer?.stop();
    await deadLetters?.stop();
    await publisher?.close();
    await unsigned?.close();
    await broker?.close();
    await db?.destroy();
  });

  const publishReply = (messageId: string, body: string) =>
    publisher.publish({
      exchange: exchanges.replies,
      routingKey: queues.coordinator,
      body: Buffer.from(body),
      messageId,
      type: 'payment.authorized',
    });
  const deadLetterOf = (messageId: string) =>
    waitFor(
      `message ${messageId} in ${deadLetterQueueOf(queues.coordinator)}`,
      async () => deadLetters.received.find((m) => m.properties.messageId === messageId),
      (found) => found !== undefined,
    );

  it('given a well-formed reply published without a user-id, when consumed, then it is dead-lettered as unauthorized and never applied', async () => {
    const messageId = randomUUID();
    const sagaId = randomUUID();
    await unsigned.publish({
      exchange: exchanges.replies,
      routingKey: queues.coordinator,
      body: Buffer.from(
        JSON.stringify({
          message_id: messageId,
          type: 'payment.authorized',
          saga_id: sagaId,
          order_id: randomUUID(),
          step: 'payment',
          attempt: 1,
          correlation_id: randomUUID(),
          causation_id: randomUUID(),
          occurred_at: new Date().toISOString(),
          data: {},
        }),
      ),
      messageId,
      type: 'payment.authorized',
    });

    const dead = await deadLetterOf(messageId);
    expect(dead!.properties.headers).to.include({ 'x-error-code': 'UNAUTHORIZED' });
    expect(String(dead!.properties.headers?.['x-error-message'])).to.include(
      'published by an unnamed account',
    );
    const inbox = await db('inbox').where({ message_id: messageId }).first();
    expect(inbox).to.equal(undefined);
  });

  it('given a reply that fails its schema, when consumed, then it reaches the DLQ with the provenance headers the workers write, its saga and order included', async () => {
    // Arrange
    const sagaId = randomUUID();
    const messageId = `poison-${randomUUID()}`;
    const body = {
      saga_id: sagaId,
      order_id: 'o-poison',
      step: 'payment',
      type: 'payment.authorized',
      data: {},
    };

    // Act
    await publishReply(messageId, JSON.stringify(body));
    const dead = await deadLetterOf(messageId);

    // Assert
    const headers = dead!.properties.headers ?? {};
    expect(headers).to.include({
      'x-origin-queue': queues.coordinator,
      'x-dead-letter-queue': deadLetterQueueOf(queues.coordinator),
      'x-error-code': 'POISON',
      'x-error-message': 'message fails its schema',
      'x-attempts': 1,
      'x-saga-id': sagaId,
      'x-order-id': 'o-poison',
      'x-step': 'payment',
    });
    expect(Date.parse(String(headers['x-dead-lettered-at']))).to.be.closeTo(Date.now(), 60_000);
    expect(dead!.content.toString()).to.equal(JSON.stringify(body));
  });

  it('given a reply that is not JSON, when consumed, then it reaches the DLQ once, with its reason and no saga', async () => {
    // Arrange
    const messageId = `poison-${randomUUID()}`;

    // Act
    await publishReply(messageId, '{not json');
    await deadLetterOf(messageId);

    // Assert
    const copies = deadLetters.received.filter((m) => m.properties.messageId === messageId);
    expect(copies).to.have.length(1);
    expect(copies[0]!.properties.headers).to.include({
      'x-error-code': 'POISON',
      'x-error-message': 'message body is not JSON',
      'x-saga-id': '',
      'x-order-id': '',
    });
  });
});
