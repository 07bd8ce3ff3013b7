/**
 * A PostgreSQL role per service that owns its own database and nothing else: it can create and
 * migrate its tables there, and cannot connect to any other service's database. Run from an
 * admin connection; every step is idempotent (a second run changes only the passwords).
 */
import { Client } from 'pg';
import { PostgresSettings, pgClientConfig } from '../db';

export interface DatabaseAccount {
  role: string;
  password: string;
  database: string;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** Creates or updates `account`'s role and database, as the admin `settings` user. */
export async function provisionDatabaseAccount(
  settings: PostgresSettings,
  account: DatabaseAccount,
): Promise<void> {
  for (const name of [account.role, account.database]) {
    // Identifiers cannot be bound parameters: only names of this strict shape are spliced in.
    if (!identifier.test(name)) throw new Error(`bad PostgreSQL identifier ${name}`);
  }
  const admin = new Client(pgClientConfig(settings, 'postgres'));
  await admin.connect();
  try {
    await ensureRole(admin, account);
    await ensureOwnedDatabase(admin, account);
  } finally {
    await admin.end();
  }
  await takeOverTables(settings, account);
}

async function ensureRole(admin: Client, { role, password }: DatabaseAccount): Promise<void> {
  const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER';
  // No superuser, no CREATEDB, no CREATEROLE: the role can only use what it is given.
  await admin.query(
    `${verb} ROLE "${role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${admin.escapeLiteral(password)}`,
  );
}

async function ensureOwnedDatabase(admin: Client, { role, database }: DatabaseAccount) {
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}" OWNER "${role}"`);
  else await admin.query(`ALTER DATABASE "${database}" OWNER TO "${role}"`);
  // Every role may connect to a new database by default (PUBLIC); only its owner may here.
  await admin.query(`REVOKE ALL ON DATABASE "${database}" FROM PUBLIC`);
}

/**
 * A database the superuser created and migrated before (the `npm start` defaults) holds tables
 * the role does not own and so could not migrate: they are handed over.
 */
async function takeOverTables(settings: PostgresSettings, { role, database }: DatabaseAccount) {
  const client = new Client(pgClientConfig(settings, database));
  await client.connect();
  try {
    await client.query(`ALTER SCHEMA public OWNER TO "${role}"`);
    const { rows } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
        WHERE schemaname = 'public' AND tableowner <> $1`,
      [role],
    );
    for (const { name } of rows) await client.query(`ALTER TABLE ${name} OWNER TO "${role}"`);
  } finally {
    await client.end();
  }
}

/** Drops `account`'s database and role (tests clean up with it). */
export async function dropDatabaseAccount(
  settings: PostgresSettings,
  account: Pick<DatabaseAccount, 'role' | 'database'>,
): Promise<void> {
  const admin = new Client(pgClientConfig(settings, 'postgres'));
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${account.database}" WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS "${account.role}"`);
  } finally {
    await admin.end();
  }
}
