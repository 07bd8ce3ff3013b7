import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { Config, loadConfig } from '../../lib/config';
import {
  createDatabase,
  ensureDatabaseExists,
  migrateToLatest,
  pgClientConfig,
} from '../../lib/db';
import { BrokerConnection, connectBroker } from '../../lib/messaging/connection';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { declareTopology } from '../../lib/messaging/topology';
import { exitCodes } from '../../lib/exit-codes';
import { serviceNodeFlags } from '../../lib/node-flags';
import { topologyFor } from '../../lib/service';
import { TestCertificates, makeCertificates } from '../helpers/certificates';
import { RunningProcess, projectRoot, runNode } from '../helpers/processes';
import { serviceEntryPoints } from '../helpers/system';
import { freePort } from '../helpers/ports';
import { TlsServer, startTlsPostgres, startTlsRabbitmq } from '../helpers/tls-servers';
import { waitFor } from '../helpers/wait';

/** What a PostgreSQL connection attempt ended with: its error's code and message, or none. */
async function connectOutcome(config: Config): Promise<{ code?: string; message?: string }> {
  const client = new Client(pgClientConfig(config.postgres, 'postgres'));
  try {
    await client.connect();
    return {};
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return { code, message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function isEncrypted(config: Config, database: string): Promise<boolean> {
  const client = new Client(pgClientConfig(config.postgres, database));
  await client.connect();
  try {
    const { rows } = await client.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    return rows[0]!.ssl;
  } finally {
    await client.end();
  }
}

/** Connects, and resolves with the first outcome: connected, or the first failure's error. */
function firstBrokerOutcome(config: Config): {
  broker: BrokerConnection;
  outcome: Promise<{ connected: boolean; error?: Error }>;
} {
  let settle: (value: { connected: boolean; error?: Error }) => void = () => undefined;
  const outcome = new Promise<{ connected: boolean; error?: Error }>((resolve) => {
    settle = resolve;
  });
  const broker = connectBroker(
    config.rabbitmq,
    {
      onConnect: () => settle({ connected: true }),
      onDisconnect: () => undefined,
      onConnectFailed: (error) => settle({ connected: false, error: error as Error }),
    },
    'tls-test',
  );
  return { broker, outcome: withTimeout(outcome, 15_000, 'the broker connection') };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no outcome of ${what} after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('TLS to PostgreSQL and RabbitMQ (servers of its own)', function () {
  this.timeout(60_000);
  let certificates: TestCertificates | undefined;
  let postgres: TlsServer | undefined;
  let rabbitmq: TlsServer | undefined;
  const cleanups: Array<() => Promise<void>> = [];

  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    POSTGRES_HOST: '127.0.0.1',
    POSTGRES_PORT: String(postgres!.port),
    POSTGRES_SSL_MODE: 'verify-full',
    POSTGRES_SSL_CA_FILE: certificates!.caFile,
    RABBITMQ_HOST: '127.0.0.1',
    RABBITMQ_PORT: String(rabbitmq!.port),
    RABBITMQ_TLS: 'on',
    RABBITMQ_TLS_CA_FILE: certificates!.caFile,
    ...overrides,
  });

  before(async () => {
    certificates = makeCertificates();
    postgres = await startTlsPostgres(certificates);
    rabbitmq = await startTlsRabbitmq(certificates);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  after(() => {
    rabbitmq?.stop();
    postgres?.stop();
    certificates?.remove();
  });

  describe('PostgreSQL', () => {
    it('given verify-full and the CA, when a service database is prepared, then it connects encrypted and runs its migrations', async () => {
      const config = loadConfig(env());

      // Not `payments`: the compiled migrate script below records .js files there, these are .ts.
      await ensureDatabaseExists(config.postgres, 'payments_sources');
      const db = createDatabase(config.postgres, 'payments_sources');
      cleanups.push(() => db.destroy());
      const applied = await migrateToLatest(db, path.join(projectRoot, 'migrations', 'payments'));

      expect(applied).to.have.length.greaterThan(0);
      expect(await isEncrypted(config, 'payments_sources')).to.equal(true);
    });

    it('given verify-full without the CA, when connecting, then the server certificate is refused as untrusted', async () => {
      const config = loadConfig(env({ POSTGRES_SSL_CA_FILE: '' }));

      // PostgreSQL sends its own certificate only, without the CA's.
      expect(await connectOutcome(config)).to.deep.equal({
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        message: 'unable to verify the first certificate',
      });
    });

    it('given verify-full and the CA, when connecting to an address the certificate does not name, then it is refused', async () => {
      const config = loadConfig(env({ POSTGRES_HOST: '127.0.0.2' }));

      const outcome = await connectOutcome(config);

      expect(outcome.code).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(outcome.message).to.include("IP: 127.0.0.2 is not in the cert's list");
    });

    it('given require without a CA, when connecting, then the connection is encrypted though unverified', async () => {
      const config = loadConfig(env({ POSTGRES_SSL_MODE: 'require', POSTGRES_SSL_CA_FILE: '' }));

      expect(await isEncrypted(config, 'postgres')).to.equal(true);
    });

    it('given disable, when connecting, then the server refuses the plain connection', async () => {
      const config = loadConfig(env({ POSTGRES_SSL_MODE: 'disable', POSTGRES_SSL_CA_FILE: '' }));

      const outcome = await connectOutcome(config);

      expect(outcome.code).to.equal('28000');
      expect(outcome.message).to.include('no encryption');
    });

    it('given verify-full and the CA, when npm run migrate runs, then every database is migrated over TLS', async () => {
      const migrate = runNode('dist/scripts/migrate.js', env());
      cleanups.push(() => migrate.stop());

      const exit = await migrate.exit(30_000);

      expect(exit.code, migrate.text()).to.equal(0);
      expect(migrate.text()).to.match(/^orders: database orders created; applied /m);
    });

    it('given verify-full without the CA, when npm run migrate runs, then it exits with the configuration code naming the untrusted certificate', async () => {
      const migrate = runNode('dist/scripts/migrate.js', env({ POSTGRES_SSL_CA_FILE: '' }));
      cleanups.push(() => migrate.stop());

      const exit = await migrate.exit(30_000);

      expect(exit.code, migrate.text()).to.equal(exitCodes.configuration);
      expect(migrate.text()).to.equal(
        `orders: certificate not trusted at postgres://127.0.0.1:${postgres!.port}/orders as user postgres: unable to verify the first certificate\n`,
      );
    });
  });

  describe('RabbitMQ', () => {
    it('given RABBITMQ_TLS=on and the CA, when a service connects, then it declares its topology and a publish is confirmed', async () => {
      const config = loadConfig(env());
      const topology = topologyFor(config);
      const { broker, outcome } = firstBrokerOutcome(config);
      cleanups.push(() => broker.close());

      expect(await outcome).to.deep.equal({ connected: true });
      const channel = broker.createChannel({
        setup: (ch: Parameters<typeof declareTopology>[0]) => declareTopology(ch, topology),
      });
      await withTimeout(channel.waitForConnect(), 10_000, 'the topology');
      const binding = topology.bindings[0]!;
      await new ConfirmPublisher(broker, { publishTimeoutMs: 10_000 }).publish({
        exchange: binding.exchange,
        routingKey: binding.routingKey,
        body: Buffer.from('{}'),
        messageId: randomUUID(),
        type: 'tls.check',
      });

      const queue = await channel.checkQueue(binding.queue);
      expect(queue.messageCount).to.equal(1);
    });

    it('given RABBITMQ_TLS=on without the CA, when a service connects, then the broker certificate is refused as untrusted', async () => {
      const config = loadConfig(env({ RABBITMQ_TLS_CA_FILE: '' }));
      const { broker, outcome } = firstBrokerOutcome(config);
      cleanups.push(() => broker.close());

      const { connected, error } = await outcome;

      expect(connected).to.equal(false);
      expect(error?.message).to.equal('self-signed certificate in certificate chain');
    });
  });

  describe('service processes', () => {
    let worker: RunningProcess | undefined;
    let coordinator: RunningProcess | undefined;

    afterEach(async () => {
      await Promise.all([worker?.stop(), coordinator?.stop()]);
      worker = coordinator = undefined;
    });

    const ready = (name: string, port: number) =>
      waitFor(
        `the ${name} to be ready`,
        async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).status,
        (code) => code === 200,
        { timeoutMs: 30_000, intervalMs: 200 },
      );

    it('given both TLS settings, when the coordinator and the payment worker start, then both are ready and their logs show no password', async () => {
      const [workerPort, coordinatorPort] = [await freePort(), await freePort()];
      const secrets = {
        POSTGRES_PASSWORD: 'pg-secret-never-logged',
        ADMIN_TOKEN: 'token-never-logged',
      };
      worker = runNode(
        serviceEntryPoints.payment,
        env({
          ...secrets,
          PAYMENT_SERVICE_PORT: String(workerPort),
          PAYMENTS_DB: 'payments_worker',
        }),
        [],
        serviceNodeFlags,
      );
      coordinator = runNode(
        serviceEntryPoints.coordinator,
        env({
          ...secrets,
          ORDER_SERVICE_PORT: String(coordinatorPort),
          POSTGRES_DB: 'orders_coordinator',
        }),
        [],
        serviceNodeFlags,
      );

      const statuses = await Promise.all([
        ready('payment worker', workerPort),
        ready('coordinator', coordinatorPort),
      ]);

      expect(statuses).to.deep.equal([200, 200]);
      for (const service of [worker, coordinator]) {
        const connected = service.lines().find((line) => line.message === 'broker connected');
        expect(connected?.address).to.equal(`amqps://127.0.0.1:${rabbitmq!.port}/%2F`);
        for (const secret of [...Object.values(secrets), 'guest@']) {
          expect(service.text()).not.to.include(secret);
        }
      }
    });

    it('given verify-full without the CA, when the worker starts, then it exits with the configuration code and one line saying the certificate is not trusted', async () => {
      worker = runNode(
        serviceEntryPoints.payment,
        env({
          PAYMENT_SERVICE_PORT: String(await freePort()),
          PAYMENTS_DB: 'payments_worker',
          POSTGRES_SSL_CA_FILE: '',
        }),
      );

      const exit = await worker.exit(20_000);

      expect(exit.code, worker.text()).to.equal(exitCodes.configuration);
      const lines = worker.lines().filter((l) => l.message === 'database certificate not trusted');
      expect(lines, worker.text()).to.have.length(1);
      expect(lines[0]).to.include({
        address: `postgres://127.0.0.1:${postgres!.port}/payments_worker`,
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
    });

    it('given RABBITMQ_TLS=on without the CA, when the worker starts, then it exits with the configuration code and one line saying the certificate is not trusted', async () => {
      worker = runNode(
        serviceEntryPoints.payment,
        env({
          PAYMENT_SERVICE_PORT: String(await freePort()),
          PAYMENTS_DB: 'payments_worker',
          RABBITMQ_TLS_CA_FILE: '',
        }),
      );

      const exit = await worker.exit(20_000);

      expect(exit.code, worker.text()).to.equal(exitCodes.configuration);
      const lines = worker.lines().filter((l) => l.message === 'broker certificate not trusted');
      expect(lines, worker.text()).to.have.length(1);
      expect(lines[0]).to.include({
        address: `amqps://127.0.0.1:${rabbitmq!.port}/%2F`,
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      });
    });
  });
});
