import { expect } from 'chai';
import type { ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { Logger } from '../../lib/logger';
import { deadLetterHandler } from '../../coordinator/dead-letter-events';
import { OrderIntake } from '../../coordinator/order-intake';
import { SagaRunner } from '../../coordinator/saga-runner';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';

/** A logger that keeps what it is told: the log line is the handler's output under test. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string; meta: Record<string, unknown> }> = [];
  const at =
    (level: string) =>
    (message: string, meta: Record<string, unknown> = {}) =>
      lines.push({ level, message, meta });
  const logger = { warn: at('warn'), error: at('error'), info: at('info') } as unknown as Logger;
  return { logger, lines };
}

function deadLetter(headers: Record<string, unknown>, body: object): ConsumeMessage {
  return {
    content: Buffer.from(JSON.stringify(body)),
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: 'saga.dead-letters',
      routingKey: 'payment.commands',
      consumerTag: 'ctag',
    },
    properties: { messageId: randomUUID(), type: 'payment.authorize', headers },
  } as unknown as ConsumeMessage;
}

describe('dead-letter events (real PostgreSQL)', function () {
  this.timeout(20_000);
  let db: Database;
  let runner: SagaRunner;
  let intake: OrderIntake;

  before(async () => {
    const { config } = await createNamespace('deadletters');
    db = await migratedDatabase(config, 'orders');
    runner = new SagaRunner(db, () => undefined, 30_000);
    intake = new OrderIntake(db, () => undefined, { maxRetryAttempts: 2, stepTimeoutMs: 30_000 });
  });

  after(async () => {
    await db?.destroy();
  });

  const startOrder = async () => {
    const orderId = `dl-${randomUUID().slice(0, 8)}`;
    const { order } = await intake.submit({
      order_id: orderId,
      user_id: 'u',
      items: ['Book'],
      total: 20,
    });
    return { orderId, sagaId: order.saga_id };
  };
  const command = (sagaId: string, orderId: string) => ({
    saga_id: sagaId,
    order_id: orderId,
    type: 'payment.authorize',
    data: { command_id: `${sagaId}/payment.authorize` },
  });

  it('given a command a worker dead-lettered with its provenance, when the coordinator hears of it, then the saga is STUCK and the log line names the saga and the order', async () => {
    // Arrange
    const { orderId, sagaId } = await startOrder();
    const { logger, lines } = recordingLogger();
    const message = deadLetter(
      {
        'x-origin-queue': 'payment.commands',
        'x-saga-id': sagaId,
        'x-order-id': orderId,
        'x-command': 'payment.authorize',
        'x-attempts': 3,
        'x-error-code': 'PROVIDER_UNAVAILABLE',
        'x-error-message': 'payment provider answered 503',
      },
      command(sagaId, orderId),
    );

    // Act
    const outcomes = await deadLetterHandler(runner, logger, db)([message]);

    // Assert
    expect(outcomes).to.deep.equal([{ kind: 'ack' }]);
    const saga = await db('sagas').where({ saga_id: sagaId }).first('status', 'reason');
    expect(saga).to.deep.equal({
      status: 'STUCK',
      reason: {
        step: 'payment',
        code: 'PROVIDER_UNAVAILABLE',
        message: 'payment provider answered 503',
      },
    });
    expect(lines.find((l) => l.message === 'command dead-lettered')?.meta).to.include({
      saga_id: sagaId,
      order_id: orderId,
      command: 'payment.authorize',
      outcome: 'applied',
    });
    const mirrored = await db('dead_letters')
      .where({ message_id: message.properties.messageId })
      .select('queue', 'view');
    expect(mirrored).to.deep.equal([
      {
        queue: 'payment.commands.dlq',
        view: {
          message_id: message.properties.messageId,
          saga_id: sagaId,
          order_id: orderId,
          step: null,
          command: 'payment.authorize',
          reason: 'PROVIDER_UNAVAILABLE: payment provider answered 503',
          attempts: 3,
          dead_lettered_at: null,
        },
      },
    ]);
  });

  it('given the same dead letter heard twice and one from the coordinator reply queue, when handled, then each is mirrored once under its dead-letter queue', async () => {
    // Arrange
    const { orderId, sagaId } = await startOrder();
    const { logger } = recordingLogger();
    const twice = deadLetter({ 'x-first-death-reason': 'rejected' }, command(sagaId, orderId));
    const reply = deadLetter({ 'x-origin-queue': 'coordinator.replies' }, { type: 'bad' });

    // Act
    await deadLetterHandler(runner, logger, db)([twice, reply]);
    await deadLetterHandler(runner, logger, db)([twice]);

    // Assert
    const rows = await db('dead_letters')
      .whereIn('message_id', [twice.properties.messageId, reply.properties.messageId])
      .orderBy('id')
      .select('queue', db.raw("view->>'reason' AS reason"));
    expect(rows).to.deep.equal([
      { queue: 'payment.commands.dlq', reason: 'rejected' },
      { queue: 'coordinator.replies.dlq', reason: null },
    ]);
  });

  it('given a command the broker dead-lettered itself (no provenance headers), when the coordinator hears of it, then the order id is read from its body', async () => {
    // Arrange
    const { orderId, sagaId } = await startOrder();
    const { logger, lines } = recordingLogger();
    const message = deadLetter({ 'x-first-death-reason': 'expired' }, command(sagaId, orderId));

    // Act
    await deadLetterHandler(runner, logger, db)([message]);

    // Assert
    const saga = await db('sagas').where({ saga_id: sagaId }).first('status', 'reason');
    expect(saga.status).to.equal('STUCK');
    expect(saga.reason).to.include({ code: 'BROKER_EXPIRED' });
    expect(lines.find((l) => l.message === 'command dead-lettered')?.meta).to.include({
      saga_id: sagaId,
      order_id: orderId,
    });
  });
});
