/**
 * `npm run migrate`: creates every service's database when it is missing and applies its
 * pending migrations — the steps each service takes at start, for a deploy that migrates
 * before it starts the services, or to check the PostgreSQL settings and rights. It prints one
 * line per database and exits non-zero on the first failure (78 when PostgreSQL refuses the
 * user or its rights, or presents a certificate that is not trusted), without waiting for an
 * unreachable server.
 */
import path from 'node:path';
import { Config, loadConfig } from '../lib/config';
import { createDatabase, ensureDatabaseExists, migrateToLatest } from '../lib/db';
import { isAccessRefused, isCertificateUntrusted } from '../lib/errors';
import { exitCodes } from '../lib/exit-codes';
import { loadedOrReported } from './script-config';

type DatabaseRole = keyof Config['postgres']['databases'];

/** Each database's migrations live in the folder named after its role. */
const roles: readonly DatabaseRole[] = ['orders', 'payments', 'inventory', 'shipping'];
const migrationsRoot = path.join(__dirname, '..', 'migrations');

async function migrate(config: Config, role: DatabaseRole): Promise<string> {
  const database = config.postgres.databases[role];
  const created = await ensureDatabaseExists(config.postgres, database);
  const db = createDatabase(config.postgres, database);
  try {
    const applied = await migrateToLatest(db, path.join(migrationsRoot, role));
    const names = applied.map((file) => path.basename(file, path.extname(file)));
    const migrations = names.length > 0 ? `applied ${names.join(', ')}` : 'up to date';
    return `${role}: database ${database} ${created ? 'created' : 'exists'}; ${migrations}`;
  } finally {
    await db.destroy();
  }
}

function addressOf(config: Config, role: DatabaseRole): string {
  const { host, port, databases, user } = config.postgres;
  return `postgres://${host}:${port}/${databases[role]} as user ${user}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<number> {
  const config = loadedOrReported(() => loadConfig());
  if (!config) return exitCodes.configuration;
  for (const role of roles) {
    try {
      console.log(await migrate(config, role));
    } catch (error) {
      const refused = isAccessRefused(error);
      const untrusted = isCertificateUntrusted(error);
      const what = refused ? 'access refused' : untrusted ? 'certificate not trusted' : 'failed';
      console.error(`${role}: ${what} at ${addressOf(config, role)}: ${messageOf(error)}`);
      return refused || untrusted ? exitCodes.configuration : 1;
    }
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`migrate failed: ${messageOf(error)}`);
    process.exitCode = 1;
  },
);
