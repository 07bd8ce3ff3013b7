/**
 * `npm run provision`: creates each service's own PostgreSQL role and database and its RabbitMQ
 * user with permissions limited to its share of the topology, from the admin accounts
 * POSTGRES_USER and RABBITMQ_USER. Idempotent: run it again to change passwords. Prints one
 * line per account, never a password.
 */
import { loadAccountSecrets, loadConfig, serviceAccounts } from '../lib/config';
import { exitCodes } from '../lib/exit-codes';
import { topologyFor } from '../lib/service';
import { permissionsOf } from '../lib/messaging/topology';
import { provisionDatabaseAccount } from '../lib/provision/postgres';
import { provisionBrokerAccount } from '../lib/provision/rabbitmq';
import { loadedOrReported } from './script-config';

const databaseOf = {
  coordinator: 'orders',
  payment: 'payments',
  inventory: 'inventory',
  shipping: 'shipping',
} as const;

async function main(): Promise<number> {
  const loaded = loadedOrReported(() => ({ config: loadConfig(), secrets: loadAccountSecrets() }));
  if (!loaded) return exitCodes.configuration;
  const { config, secrets } = loaded;
  const topology = topologyFor(config);
  for (const { service, postgresPassword, rabbitmqPassword } of secrets) {
    const account = serviceAccounts[service];
    const database = config.postgres.databases[databaseOf[service]];
    await provisionDatabaseAccount(config.postgres, {
      role: account,
      password: postgresPassword,
      database,
    });
    await provisionBrokerAccount(config.rabbitmq, {
      user: account,
      password: rabbitmqPassword,
      vhost: config.rabbitmq.vhost,
      permissions: permissionsOf(topology, service),
    });
    console.log(
      `${service}: PostgreSQL role ${account} owns database ${database}; ` +
        `RabbitMQ user ${account} limited to its queues on vhost ${config.rabbitmq.vhost}`,
    );
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`provision failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
