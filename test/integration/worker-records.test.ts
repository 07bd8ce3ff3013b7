import { expect } from 'chai';
import type { ConsumeMessage } from 'amqplib';
import nock from 'nock';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { createSilentLogger } from '../../lib/logger';
import { BrokerConnection } from '../../lib/messaging/connection';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { queues } from '../../lib/messaging/topology';
import { Command, CommandType, commandIdOf, commandStep } from '../../sagas/contracts/messages';
import { inventoryHandler } from '../../workers/inventory/handlers';
import { declinedAttemptId, paymentHandler } from '../../workers/payment/handlers';
import { httpPaymentProvider } from '../../workers/payment/provider';
import { CommandHandler, commandBatchHandler } from '../../workers/runtime/worker';
import { shippingHandler } from '../../workers/shipping/handlers';
import { connectedBroker, migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';

const providerOrigin = 'http://provider.records.test';

function commandMessage(command: Command): ConsumeMessage {
  return {
    content: Buffer.from(JSON.stringify(command)),
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: '', consumerTag: '' },
    properties: { messageId: command.message_id, type: command.type, headers: {} },
  } as unknown as ConsumeMessage;
}

function command(type: CommandType, sagaId: string, orderId: string, data: object): Command {
  return {
    message_id: randomUUID(),
    type,
    saga_id: sagaId,
    order_id: orderId,
    step: commandStep[type],
    attempt: 1,
    correlation_id: sagaId,
    causation_id: null,
    occurred_at: new Date().toISOString(),
    data: { command_id: commandIdOf(sagaId, type), ...data },
  } as Command;
}

describe('worker records of business failures (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(30_000);
  let broker: BrokerConnection;
  let paymentsDb: Database;
  let inventoryDb: Database;
  let shippingDb: Database;

  before(async () => {
    const { config } = await createNamespace('records');
    broker = await connectedBroker(config);
    paymentsDb = await migratedDatabase(config, 'payments');
    inventoryDb = await migratedDatabase(config, 'inventory');
    shippingDb = await migratedDatabase(config, 'shipping');
  });

  afterEach(() => {
    nock.cleanAll();
  });

  after(async () => {
    await broker?.close();
    await paymentsDb?.destroy();
    await inventoryDb?.destroy();
    await shippingDb?.destroy();
  });

  const handlerFor = <T>(db: Database, handler: CommandHandler<T>, queue: string) =>
    commandBatchHandler({
      queue,
      db,
      publisher: new ConfirmPublisher(broker),
      handler,
      policy: { maxRetryAttempts: 2, retryDelaySeconds: 0.1 },
      logger: createSilentLogger(),
    });
  const payment = () =>
    handlerFor(
      paymentsDb,
      paymentHandler(paymentsDb, httpPaymentProvider(`${providerOrigin}/provider`)),
      queues.payment,
    );
  const authorizationsOf = (orderId: string) =>
    paymentsDb('authorizations')
      .where({ order_id: orderId })
      .orderBy('created_at')
      .select('authorization_id', 'status', 'reason');

  describe('payment', () => {
    it('given a provider decline without a reference, when the authorize command is delivered twice, then one DECLINED attempt is recorded with the provider code under an id derived from the command', async () => {
      // Arrange
      const sagaId = randomUUID();
      const authorize = command('payment.authorize', sagaId, 'rec-declined', { amount: 20_000 });
      nock(providerOrigin)
        .post('/provider/authorizations')
        .times(2)
        .reply(402, { code: 'AMOUNT_LIMIT_EXCEEDED', message: 'amount 20000 exceeds 10000' });
      const handle = payment();

      // Act
      await handle([commandMessage(authorize)]);
      await handle([commandMessage(authorize)]);

      // Assert
      expect(await authorizationsOf('rec-declined')).to.deep.equal([
        {
          authorization_id: declinedAttemptId(authorize.data.command_id),
          status: 'DECLINED',
          reason: { code: 'AMOUNT_LIMIT_EXCEEDED', message: 'amount 20000 exceeds 10000' },
        },
      ]);
    });

    it("given a provider decline with a reference, when authorizing, then the attempt is recorded under the provider's reference", async () => {
      // Arrange
      const authorize = command('payment.authorize', randomUUID(), 'rec-ref', { amount: 5 });
      nock(providerOrigin)
        .post('/provider/authorizations')
        .reply(402, { code: 'CARD_DECLINED', message: 'do not honour', decline_id: 'dcl_42' });

      // Act
      await payment()([commandMessage(authorize)]);

      // Assert
      expect(await authorizationsOf('rec-ref')).to.deep.equal([
        {
          authorization_id: 'dcl_42',
          status: 'DECLINED',
          reason: { code: 'CARD_DECLINED', message: 'do not honour' },
        },
      ]);
    });

    it('given a declined attempt, when the order is voided, then the provider is asked to void nothing and the attempt stays DECLINED', async () => {
      // Arrange
      const sagaId = randomUUID();
      nock(providerOrigin)
        .post('/provider/authorizations')
        .reply(402, { code: 'CARD_DECLINED', message: 'do not honour' });
      await payment()([
        commandMessage(command('payment.authorize', sagaId, 'rec-void', { amount: 5 })),
      ]);
      // Any call to the provider's void endpoint would find no interceptor and fail the void.
      nock.disableNetConnect();

      // Act
      try {
        await payment()([commandMessage(command('payment.void', sagaId, 'rec-void', {}))]);
      } finally {
        nock.enableNetConnect();
      }

      // Assert
      const records = await authorizationsOf('rec-void');
      expect(records.map((r) => r.status)).to.deep.equal(['DECLINED']);
      const reply = await paymentsDb('processed_commands')
        .where({ command_id: commandIdOf(sagaId, 'payment.void') })
        .first('reply');
      expect(reply?.reply).to.nested.include({ type: 'payment.voided', 'data.voided': 0 });
    });
  });

  describe('shipping', () => {
    it('given a parcel over the size limit, when create is delivered twice and the order cancelled, then one REJECTED shipment with its code and no tracking number remains', async () => {
      // Arrange
      const sagaId = randomUUID();
      const create = command('shipping.create', sagaId, 'rec-parcel', {
        items: [
          { sku: 'Pen', quantity: 600 },
          { sku: 'Book', quantity: 600 },
        ],
      });
      const handle = handlerFor(shippingDb, shippingHandler(), queues.shipping);

      // Act
      await handle([commandMessage(create)]);
      await handle([commandMessage(create)]);
      await handle([commandMessage(command('shipping.cancel', sagaId, 'rec-parcel', {}))]);

      // Assert
      const shipments = await shippingDb('shipments')
        .where({ order_id: 'rec-parcel' })
        .select('tracking_number', 'status', 'reason');
      expect(shipments).to.deep.equal([
        {
          tracking_number: null,
          status: 'REJECTED',
          reason: { code: 'PARCEL_TOO_LARGE', message: '1200 units exceed 1000' },
        },
      ]);
    });
  });

  describe('inventory', () => {
    it('given an unknown SKU, when reserve and release are delivered, then the reservation stays REJECTED with its reason', async () => {
      // Arrange
      const sagaId = randomUUID();
      const handle = handlerFor(inventoryDb, inventoryHandler(), queues.inventory);

      // Act
      await handle([
        commandMessage(
          command('inventory.reserve', sagaId, 'rec-sku', {
            items: [{ sku: 'Unobtainium', quantity: 1 }],
          }),
        ),
      ]);
      await handle([commandMessage(command('inventory.release', sagaId, 'rec-sku', {}))]);

      // Assert
      const reservation = await inventoryDb('reservations')
        .where({ order_id: 'rec-sku' })
        .first('status', 'reason');
      expect(reservation).to.deep.equal({
        status: 'REJECTED',
        reason: { code: 'UNKNOWN_SKU', message: 'unknown SKU Unobtainium' },
      });
    });
  });
});
