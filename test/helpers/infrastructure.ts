/** Real PostgreSQL databases and a real broker connection for integration tests. */
import path from 'node:path';
import type { Channel, ConsumeMessage } from 'amqplib';
import { Config } from '../../lib/config';
import { Database, createDatabase, ensureDatabaseExists, migrateToLatest } from '../../lib/db';
import { BrokerConnection, connectBroker, connectionName } from '../../lib/messaging/connection';
import { declareTopology } from '../../lib/messaging/topology';
import { topologyFor } from '../../lib/service';

type DatabaseRole = keyof Config['postgres']['databases'];

export async function migratedDatabase(config: Config, role: DatabaseRole): Promise<Database> {
  const name = config.postgres.databases[role];
  await ensureDatabaseExists(config.postgres, name);
  const db = createDatabase(config.postgres, name);
  await migrateToLatest(db, path.resolve(__dirname, '../../migrations', role));
  return db;
}

export async function connectedBroker(config: Config): Promise<BrokerConnection> {
  const broker = connectBroker(
    config.rabbitmq,
    {
      onConnect: () => undefined,
      onDisconnect: () => undefined,
      onConnectFailed: () => undefined,
    },
    connectionName('test'),
  );
  const topology = topologyFor(config);
  const channel = broker.createChannel({ setup: (ch: Channel) => declareTopology(ch, topology) });
  await channel.waitForConnect();
  await channel.close();
  return broker;
}

/** Collects every message arriving on `queue` (acking it) until stopped. */
export async function collect(broker: BrokerConnection, queue: string) {
  const received: ConsumeMessage[] = [];
  const channel = broker.createChannel({
    setup: (ch: Channel) =>
      ch.consume(queue, (message) => {
        if (!message) return;
        received.push(message);
        ch.ack(message);
      }),
  });
  await channel.waitForConnect();
  return { received, stop: () => channel.close() };
}
