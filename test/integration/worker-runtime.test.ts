import { expect } from 'chai';
import type { ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { isTransientError } from '../../lib/errors';
import { createSilentLogger } from '../../lib/logger';
import { BrokerConnection } from '../../lib/messaging/connection';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { deadLetterQueueOf, queues } from '../../lib/messaging/topology';
import {
  Command,
  CommandType,
  Reply,
  commandIdOf,
  commandStep,
} from '../../sagas/contracts/messages';
import { inventoryHandler } from '../../workers/inventory/handlers';
import { paymentHandler } from '../../workers/payment/handlers';
import { PaymentProvider } from '../../workers/payment/provider';
import { CommandHandler, commandBatchHandler } from '../../workers/runtime/worker';
import { shippingHandler } from '../../workers/shipping/handlers';
import { collect, connectedBroker, migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { waitFor } from '../helpers/wait';

function commandMessage(command: Command, raw?: string): ConsumeMessage {
  return {
    content: Buffer.from(raw ?? JSON.stringify(command)),
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: '', consumerTag: '' },
    properties: { messageId: command.message_id, type: command.type, headers: {} },
  } as unknown as ConsumeMessage;
}

function command<T extends CommandType>(
  type: T,
  sagaId: string,
  orderId: string,
  data: object,
): Command {
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

describe('worker runtime (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(30_000);
  let broker: BrokerConnection;
  let inventoryDb: Database;
  let shippingDb: Database;
  let paymentsDb: Database;
  let replies: Awaited<ReturnType<typeof collect>>;
  let deadLetters: Awaited<ReturnType<typeof collect>>;

  before(async () => {
    const { config } = await createNamespace('worker');
    broker = await connectedBroker(config);
    inventoryDb = await migratedDatabase(config, 'inventory');
    shippingDb = await migratedDatabase(config, 'shipping');
    paymentsDb = await migratedDatabase(config, 'payments');
    replies = await collect(broker, queues.coordinator);
    deadLetters = await collect(broker, deadLetterQueueOf(queues.inventory));
  });

  after(async () => {
    await replies?.stop();
    await deadLetters?.stop();
    await broker?.close();
    await inventoryDb?.destroy();
    await shippingDb?.destroy();
    await paymentsDb?.destroy();
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

  const repliesFor = (sagaId: string) =>
    replies.received
      .map((m) => JSON.parse(m.content.toString()) as Reply)
      .filter((r) => r.saga_id === sagaId);

  const stock = async (sku: string) =>
    inventoryDb('stock').where({ sku }).first('available', 'reserved');

  it('given a reserved order, when the reserve command is redelivered, then the same reply is sent again and stock moves once', async () => {
    await inventoryDb('stock').insert({ sku: 'Widget', available: 5 });
    const handle = handlerFor(inventoryDb, inventoryHandler(), queues.inventory);
    const sagaId = randomUUID();
    const reserve = command('inventory.reserve', sagaId, 'o-redeliver', {
      items: [{ sku: 'Widget', quantity: 2 }],
    });

    await handle([commandMessage(reserve)]);
    await handle([commandMessage(reserve)]);

    const answers = await waitFor(
      'two replies',
      async () => repliesFor(sagaId),
      (r) => r.length >= 2,
    );
    expect(answers.map((r) => r.type)).to.deep.equal(['inventory.reserved', 'inventory.reserved']);
    expect(answers[0]!.message_id).to.equal(answers[1]!.message_id);
    expect(await stock('Widget')).to.deep.equal({ available: 3, reserved: 2 });
  });

  it('given a reserve delivered, then redelivered twice in one batch, when handled, then only the first answer is reported as first and the others as duplicates', async () => {
    await inventoryDb('stock').insert({ sku: 'Counted', available: 5 });
    const reported: boolean[] = [];
    const handle = commandBatchHandler({
      queue: queues.inventory,
      db: inventoryDb,
      publisher: new ConfirmPublisher(broker),
      handler: inventoryHandler(),
      policy: { maxRetryAttempts: 2, retryDelaySeconds: 0.1 },
      logger: createSilentLogger(),
      onReplied: (answered) => reported.push(...answered.map((a) => a.duplicate)),
    });
    const reserve = command('inventory.reserve', randomUUID(), 'o-counted', {
      items: [{ sku: 'Counted', quantity: 1 }],
    });

    await handle([commandMessage(reserve)]);
    await handle([commandMessage(reserve), commandMessage(reserve)]);

    expect(reported).to.deep.equal([false, true, true]);
    expect(await stock('Counted')).to.deep.equal({ available: 4, reserved: 1 });
  });

  it('given a fraud check, when it is delivered, redelivered and re-sent, then each delivery is answered under one message id from the command, with no record and no provider call', async () => {
    const noProvider: PaymentProvider = {
      authorize: () => Promise.reject(new Error('a fraud check must not call the provider')),
      void: () => Promise.reject(new Error('a fraud check must not call the provider')),
    };
    const handle = handlerFor(paymentsDb, paymentHandler(paymentsDb, noProvider), queues.payment);
    const sagaId = randomUUID();
    const assess = command('risk.assess', sagaId, 'o-risk', {
      amount: 20,
      items: [{ sku: 'Book', quantity: 1 }],
    });
    const redelivery = commandMessage(assess);
    redelivery.fields.redelivered = true;
    const resend = { ...assess, message_id: randomUUID(), attempt: 2 };

    await handle([commandMessage(assess)]);
    await handle([redelivery]);
    await handle([commandMessage(resend)]);

    const answers = await waitFor(
      'three answers',
      async () => repliesFor(sagaId),
      (r) => r.length >= 3,
    );
    expect(answers.map((r) => r.type)).to.deep.equal(Array(3).fill('risk.assessed'));
    expect(new Set(answers.map((r) => r.message_id))).to.deep.equal(
      new Set([`answer:${assess.data.command_id}`]),
    );
    expect(await paymentsDb('processed_commands').where({ order_id: 'o-risk' })).to.have.length(0);
  });

  it('given a reserved order, when release is delivered twice, then stock is restored once', async () => {
    await inventoryDb('stock').insert({ sku: 'Gadget', available: 4 });
    const handle = handlerFor(inventoryDb, inventoryHandler(), queues.inventory);
    const sagaId = randomUUID();
    const reserve = command('inventory.reserve', sagaId, 'o-release', {
      items: [{ sku: 'Gadget', quantity: 3 }],
    });
    const release = command('inventory.release', sagaId, 'o-release', {});
    await handle([commandMessage(reserve)]);

    await handle([commandMessage(release)]);
    await handle([commandMessage({ ...release, message_id: randomUUID() })]);

    expect(await stock('Gadget')).to.deep.equal({ available: 4, reserved: 0 });
    const reservation = await inventoryDb('reservations')
      .where({ order_id: 'o-release' })
      .first('status');
    expect(reservation.status).to.equal('RELEASED');
  });

  it('given a release that overtook its reserve, when the reserve arrives late, then it is rejected and holds no stock', async () => {
    await inventoryDb('stock').insert({ sku: 'Gizmo', available: 4 });
    const handle = handlerFor(inventoryDb, inventoryHandler(), queues.inventory);
    const sagaId = randomUUID();

    await handle([commandMessage(command('inventory.release', sagaId, 'o-late', {}))]);
    await handle([
      commandMessage(
        command('inventory.reserve', sagaId, 'o-late', { items: [{ sku: 'Gizmo', quantity: 1 }] }),
      ),
    ]);

    const answers = await waitFor(
      'two replies',
      async () => repliesFor(sagaId),
      (r) => r.length >= 2,
    );
    expect(answers.map((r) => r.type)).to.deep.equal(['inventory.released', 'inventory.rejected']);
    expect(answers[1]!.data).to.include({ code: 'ALREADY_RELEASED' });
    expect(await stock('Gizmo')).to.deep.equal({ available: 4, reserved: 0 });
  });

  it('given ten units and sixty concurrent one-unit orders, when reserved in parallel batches, then exactly ten succeed', async () => {
    await inventoryDb('stock').insert({ sku: 'Scarce', available: 10 });
    const handle = handlerFor(inventoryDb, inventoryHandler(), queues.inventory);
    const sagaIds = Array.from({ length: 60 }, () => randomUUID());

    await Promise.all(
      sagaIds.map((sagaId, i) =>
        handle([
          commandMessage(
            command('inventory.reserve', sagaId, `o-scarce-${i}`, {
              items: [{ sku: 'Scarce', quantity: 1 }],
            }),
          ),
        ]),
      ),
    );

    const answers = await waitFor(
      'sixty replies',
      async () => sagaIds.flatMap(repliesFor),
      (r) => r.length >= 60,
    );
    expect(answers.filter((r) => r.type === 'inventory.reserved')).to.have.length(10);
    expect(answers.filter((r) => r.type === 'inventory.rejected')).to.have.length(50);
    expect(await stock('Scarce')).to.deep.equal({ available: 0, reserved: 10 });
  });

  it('given a created shipment, when create and cancel are each delivered twice, then one shipment exists and it is cancelled', async () => {
    const handle = handlerFor(shippingDb, shippingHandler(), queues.shipping);
    const sagaId = randomUUID();
    const create = command('shipping.create', sagaId, 'o-ship', {
      items: [{ sku: 'Book', quantity: 1 }],
    });
    const cancel = command('shipping.cancel', sagaId, 'o-ship', {});

    await handle([commandMessage(create), commandMessage(create)]);
    await handle([commandMessage(cancel)]);
    await handle([commandMessage(cancel)]);

    const shipments = await shippingDb('shipments').where({ order_id: 'o-ship' }).select('status');
    expect(shipments).to.deep.equal([{ status: 'CANCELLED' }]);
    const answers = await waitFor(
      'four replies',
      async () => repliesFor(sagaId),
      (r) => r.length >= 4,
    );
    expect(answers.filter((r) => r.type === 'shipping.cancelled').map((r) => r.data)).to.deep.equal(
      [
        { command_id: cancel.data.command_id, cancelled: 1 },
        { command_id: cancel.data.command_id, cancelled: 1 },
      ],
    );
  });

  it('given one command on two worker instances at the same moment, when both handle it, then it has one effect and both answer with the same reply', async () => {
    const instances = [1, 2].map(() => handlerFor(shippingDb, shippingHandler(), queues.shipping));
    const sagaId = randomUUID();
    const create = command('shipping.create', sagaId, 'o-race', {
      items: [{ sku: 'Book', quantity: 1 }],
    });

    // Both are first deliveries: neither looks the command up before its transaction.
    await Promise.all(instances.map((handle) => handle([commandMessage(create)])));

    const shipments = await shippingDb('shipments').where({ order_id: 'o-race' }).select('*');
    expect(shipments).to.have.length(1);
    const answers = await waitFor(
      'two replies',
      async () => repliesFor(sagaId),
      (r) => r.length >= 2,
    );
    expect(answers.map((r) => r.data)).to.deep.equal([answers[0]!.data, answers[0]!.data]);
    expect(answers[0]!.data).to.include({ shipment_id: shipments[0].shipment_id });
  });

  it('given a message that is not JSON, when consumed, then it is dead-lettered at once with its provenance', async () => {
    const handle = handlerFor(inventoryDb, inventoryHandler(), queues.inventory);
    const poison = command('inventory.reserve', randomUUID(), 'o-poison', { items: [] });

    const outcomes = await handle([commandMessage(poison, '{not json')]);

    expect(outcomes).to.deep.equal([{ kind: 'ack' }]);
    const [dead] = await waitFor(
      'a dead letter',
      async () => deadLetters.received,
      (d) => d.length >= 1,
    );
    expect(dead!.properties.headers).to.include({
      'x-origin-queue': queues.inventory,
      'x-error-code': 'POISON',
      'x-attempts': 1,
    });
  });

  it('given a prepare that cannot reach the database, when the batch is handled, then the batch fails for the consumer to retry and no retry of the command is scheduled', async () => {
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const handle = handlerFor(
      inventoryDb,
      { prepare: () => Promise.reject(unreachable), apply: () => Promise.resolve([]) },
      queues.inventory,
    );
    const sagaId = randomUUID();
    const reserve = command('inventory.reserve', sagaId, 'o-db-outage', {
      items: [{ sku: 'Widget', quantity: 1 }],
    });

    const failed = await handle([commandMessage(reserve)]).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(isTransientError(failed), String(failed)).to.equal(true);
    // A retry notice would reach the collector within moments of its confirmed publish.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(repliesFor(sagaId)).to.deep.equal([]);
  });
});
