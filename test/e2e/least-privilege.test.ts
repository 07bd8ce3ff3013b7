import { expect } from 'chai';
import amqplib from 'amqplib';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { createDatabase, migrateToLatest } from '../../lib/db';
import { BrokerConnection } from '../../lib/messaging/connection';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import {
  deadLetterQueueOf,
  declareTopology,
  exchanges,
  permissionsOf,
  queues,
  serviceTopology,
} from '../../lib/messaging/topology';
import { dropDatabaseAccount, provisionDatabaseAccount } from '../../lib/provision/postgres';
import { dropBrokerAccount, provisionBrokerAccount } from '../../lib/provision/rabbitmq';
import { topologyFor } from '../../lib/service';
import { commandIdOf } from '../../sagas/contracts/messages';
import { request } from '../helpers/api';
import { collect, connectedBroker } from '../helpers/infrastructure';
import { createNamespace, Namespace } from '../helpers/namespace';
import { projectRoot, runNode, RunningProcess } from '../helpers/processes';
import { serviceEntryPoints } from '../helpers/system';
import { waitFor } from '../helpers/wait';

/** Uniquely named accounts: the broker's users and PostgreSQL's roles are server-wide. */
const suffix = randomBytes(3).toString('hex');
const accounts = {
  payment: { name: `payment_worker_${suffix}`, password: randomBytes(12).toString('hex') },
  inventory: { name: `inventory_worker_${suffix}`, password: randomBytes(12).toString('hex') },
};

async function refusal(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal, but it was allowed');
}

describe('least privilege: per-service accounts (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(120_000);
  let namespace: Namespace;
  let guest: BrokerConnection;
  let worker: RunningProcess | undefined;
  const amqpUrl = (user: string, password: string) =>
    `amqp://${user}:${password}@${namespace.config.rabbitmq.host}:${namespace.config.rabbitmq.port}/${encodeURIComponent(namespace.vhost)}`;

  before(async () => {
    namespace = await createNamespace('privs');
    const { postgres, rabbitmq } = namespace.config;
    const databases = postgres.databases;
    const topology = topologyFor(namespace.config);
    for (const service of ['payment', 'inventory'] as const) {
      const account = accounts[service];
      await provisionDatabaseAccount(postgres, {
        role: account.name,
        password: account.password,
        database: service === 'payment' ? databases.payments : databases.inventory,
      });
      await provisionBrokerAccount(rabbitmq, {
        user: account.name,
        password: account.password,
        vhost: namespace.vhost,
        permissions: permissionsOf(topology, service),
      });
    }
    guest = await connectedBroker(namespace.config);
  });

  after(async () => {
    await worker?.stop();
    await guest?.close();
    const { postgres, rabbitmq } = namespace.config;
    for (const [service, account] of Object.entries(accounts)) {
      const database =
        namespace.config.postgres.databases[service === 'payment' ? 'payments' : 'inventory'];
      await dropDatabaseAccount(postgres, { role: account.name, database });
      await dropBrokerAccount(rabbitmq, account.name);
    }
  });

  it('given provisioned roles, when the payment role migrates its own database and then connects to the inventory one, then the first works and the second is refused', async () => {
    const { host, port, tls, databases } = namespace.config.postgres;
    const own = createDatabase(
      { host, port, tls, user: accounts.payment.name, password: accounts.payment.password },
      databases.payments,
    );
    try {
      // The compiled files, as the compiled worker of the last test will find them applied.
      const applied = await migrateToLatest(
        own,
        path.join(projectRoot, 'dist/migrations/payments'),
      );
      expect(applied.length).to.be.above(0);
      expect(await own('knex_migrations').count({ n: '*' })).to.deep.equal([
        { n: String(applied.length) },
      ]);
    } finally {
      await own.destroy();
    }

    const other = new Client({
      host,
      port,
      user: accounts.payment.name,
      password: accounts.payment.password,
      database: databases.inventory,
    });
    const message = await refusal(() => other.connect());
    expect(message).to.match(/permission denied for database/);
  });

  it('given provisioned broker users, when the payment user declares its share and consumes its queue, then it may; when it consumes the inventory queue, then the broker refuses', async () => {
    const connection = await amqplib.connect(
      amqpUrl(accounts.payment.name, accounts.payment.password),
    );
    try {
      const channel = await connection.createChannel();
      await declareTopology(channel, serviceTopology(topologyFor(namespace.config), 'payment'));
      await channel.consume(queues.payment, () => undefined);
      await channel.close();

      const other = await connection.createChannel();
      other.on('error', () => undefined);
      const message = await refusal(() => other.consume(queues.inventory, () => undefined));
      expect(message).to.match(/ACCESS_REFUSED/);
      expect(message).to.include(`queue '${queues.inventory}'`);
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('given the payment user, when it publishes a reply naming another account as its user-id, then the broker refuses the publish', async () => {
    const connection = await amqplib.connect(
      amqpUrl(accounts.payment.name, accounts.payment.password),
    );
    try {
      const channel = await connection.createConfirmChannel();
      const closed = new Promise<string>((resolve) =>
        channel.on('error', (error: Error) => resolve(error.message)),
      );
      channel.publish(exchanges.replies, queues.coordinator, Buffer.from('{}'), {
        userId: 'guest',
      });
      await channel.waitForConfirms().catch(() => undefined);
      expect(await closed).to.match(/PRECONDITION_FAILED - user_id property set to 'guest'/);
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('given the payment worker running under its own accounts, when another account publishes a well-formed command, then it is dead-lettered as unauthorized, counted, and has no effect', async () => {
    const env = {
      ...namespace.env,
      POSTGRES_USER: accounts.payment.name,
      POSTGRES_PASSWORD: accounts.payment.password,
      RABBITMQ_USER: accounts.payment.name,
      RABBITMQ_PASSWORD: accounts.payment.password,
      COORDINATOR_RABBITMQ_USER: `order_coordinator_${suffix}`,
      LOG_LEVEL: 'info',
    };
    const url = `http://127.0.0.1:${namespace.config.ports.payment}`;
    worker = runNode(serviceEntryPoints.payment, env);
    await waitFor(
      'the payment worker to be ready under its own accounts',
      () => request(`${url}/health/ready`),
      (response) => response.status === 200,
      { timeoutMs: 60_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${worker!.text().slice(-3000)}`);
    });
    const dead = await collect(guest, deadLetterQueueOf(queues.payment));
    const forger = new ConfirmPublisher(guest, { userId: namespace.config.rabbitmq.user });
    const sagaId = randomUUID();
    const orderId = randomUUID();
    const messageId = randomUUID();
    try {
      await forger.publish({
        exchange: exchanges.commands,
        routingKey: queues.payment,
        messageId,
        type: 'payment.authorize',
        body: Buffer.from(
          JSON.stringify({
            message_id: messageId,
            type: 'payment.authorize',
            saga_id: sagaId,
            order_id: orderId,
            step: 'payment',
            attempt: 1,
            correlation_id: sagaId,
            causation_id: null,
            occurred_at: new Date().toISOString(),
            data: { command_id: commandIdOf(sagaId, 'payment.authorize'), amount: 10 },
          }),
        ),
      });
      const refused = await waitFor(
        'the forged command in the payment DLQ',
        async () => dead.received.find((m) => m.properties.messageId === messageId),
        (found) => found !== undefined,
        { timeoutMs: 20_000 },
      );
      expect(refused!.properties.headers).to.include({ 'x-error-code': 'UNAUTHORIZED' });
      const metrics = await fetch(`${url}/metrics`).then((response) => response.text());
      expect(metrics).to.match(
        /order_saga_unauthorized_messages_total\{queue="payment\.commands",service="payment"\} 1/,
      );
      expect(metrics).to.not.include(accounts.payment.password);
      expect(worker.text()).to.not.include(accounts.payment.password);
      expect((await request(`${url}/payments/${orderId}`)).status).to.equal(404);
    } finally {
      await forger.close();
      await dead.stop();
    }
  });
});
