/**
 * A service's two connections at start, with the lines an operator acts on. A backing service
 * that cannot be reached is waited for (retried with backoff, said once per outage); one that
 * refuses the configured user, or whose certificate is not trusted, is a configuration error
 * that waiting cannot fix, so the service says so in one line naming the address and user
 * (never the password) and exits.
 */
import { retryForever } from './backoff';
import { Config } from './config';
import {
  Database,
  MIGRATION_LOCK_TABLE,
  ensureDatabaseExists,
  isMigrationLocked,
  isSchemaCurrent,
  migrateToLatest,
} from './db';
import { isAccessRefused, isCertificateUntrusted, isTransientError } from './errors';
import { exitCodes } from './exit-codes';
import { Logger, describeError } from './logger';
import {
  BrokerConnection,
  brokerAddress,
  connectBroker,
  connectionName,
} from './messaging/connection';
import { Readiness } from './readiness';

export function databaseAddress(config: Config, database: string): string {
  return `postgres://${config.postgres.host}:${config.postgres.port}/${database}`;
}

/** Resolves once `database` exists and is migrated; exits when PostgreSQL refuses the user. */
export async function prepareDatabase(
  config: Config,
  db: Database,
  database: string,
  migrationsDirectory: string,
  logger: Logger,
  readiness: Readiness,
): Promise<void> {
  const address = databaseAddress(config, database);
  readiness.waitFor(`PostgreSQL database ${database} and its migrations`);
  await retryForever(
    async () => {
      // Before the pool's first connection, which would log a missing database as a failure.
      await ensureDatabaseExists(config.postgres, database);
      // A restart finds its schema current: one query instead of the migrator's round trips.
      if (await isSchemaCurrent(db, migrationsDirectory)) return;
      await migrateToLatest(db, migrationsDirectory);
    },
    (error, attempt, delayMs) => {
      if (isAccessRefused(error)) {
        exitWithLine(logger, 'database access refused', {
          address,
          user: config.postgres.user,
          ...describeError(error),
        });
      }
      if (isCertificateUntrusted(error)) {
        exitWithLine(logger, 'database certificate not trusted', {
          address,
          ...describeError(error),
        });
      }
      if (isMigrationLocked(error)) {
        // The database answers: another instance is migrating, or one that crashed mid-way
        // left its lock behind (released by hand once no migration runs: README, Troubleshooting).
        readiness.waitFor(`migration lock of ${database} (${MIGRATION_LOCK_TABLE})`);
        logger.warn('database migration lock held', {
          address,
          lock_table: MIGRATION_LOCK_TABLE,
          attempt,
          retry_in_ms: delayMs,
        });
        return;
      }
      // Only a lost connection is an outage; anything else (a migration that fails, a missing
      // migration file) is named as what it is, though it is retried the same way.
      const unreachable = isTransientError(error);
      readiness.waitFor(
        `${unreachable ? 'PostgreSQL at' : 'migrations of'} ${address} (${describeError(error).error})`,
      );
      logger.error(unreachable ? 'database unreachable' : 'database migration failed', {
        address,
        attempt,
        retry_in_ms: delayMs,
        ...describeError(error),
      });
    },
  );
}

/**
 * Connects to the broker under the service's name. Until `started()` holds, a refused login
 * ends the process; afterwards (credentials changed under a running service) it is logged and
 * retried like an outage, so that work in flight is not dropped.
 */
export function connectBrokerLogged(
  config: Config,
  logger: Logger,
  service: string,
  started: () => boolean,
): BrokerConnection {
  const address = brokerAddress(config.rabbitmq);
  const user = config.rabbitmq.user;
  let failures = 0;
  return connectBroker(
    config.rabbitmq,
    {
      onConnect: () => {
        failures = 0;
        logger.info('broker connected', { address });
      },
      onDisconnect: (error) =>
        logger.warn('broker disconnected', { address, ...describeError(error) }),
      onConnectFailed: (error) => {
        const refused = isAccessRefused(error);
        const untrusted = isCertificateUntrusted(error);
        const message = refused
          ? 'broker access refused'
          : untrusted
            ? 'broker certificate not trusted'
            : 'broker unreachable';
        if ((refused || untrusted) && !started()) {
          exitWithLine(logger, message, { address, user, ...describeError(error) });
        }
        failures += 1;
        // One line per outage, then one every 30 failed attempts: the retry continues silently.
        if (failures === 1 || failures % 30 === 0) {
          logger.error(message, {
            address,
            user,
            attempts: failures,
            ...describeError(error),
          });
        }
      },
    },
    connectionName(service),
  );
}

function exitWithLine(logger: Logger, message: string, fields: Record<string, unknown>): never {
  logger.error(message, fields);
  process.exit(exitCodes.configuration);
}
