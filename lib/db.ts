/**
 * PostgreSQL access through knex: one pool per database, the database created when missing,
 * migrations run from a directory of frozen files.
 */
import knexFactory, { Knex } from 'knex';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { Writable } from 'node:stream';
import { Client, ClientConfig } from 'pg';
import { coalesceWritesPerTick } from './socket-writes';

/** How a connection to PostgreSQL is secured; the modes mean what libpq's sslmode values do. */
export interface PostgresTls {
  /**
   * `disable`: plain TCP. `require`: encrypted, but any certificate is accepted. `verify-full`:
   * the server's certificate chain must lead to a trusted CA and name the host connected to.
   */
  readonly mode: 'disable' | 'require' | 'verify-full';
  /** PEM of a private CA to trust; unset: the CAs Node trusts. */
  readonly ca: string | undefined;
}

export interface PostgresSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Unset: a small pool, enough for a script or a test. */
  poolSize?: number | undefined;
  tls: PostgresTls;
}

/**
 * node-pg's `ssl` option for `tls`. Always set, never left undefined: node-pg would otherwise
 * take PGSSLMODE from the environment behind the configuration's back.
 */
export function pgSslOption(tls: PostgresTls): false | ConnectionOptions {
  switch (tls.mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      // The host name is checked against `host` by tls.connect (node-pg sets servername itself).
      return { rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}) };
  }
}

/**
 * The settings of one node-pg Client on `database`. Every Client is built from these, so none
 * can forget the TLS settings (a spread of PostgresSettings would leave them out).
 */
export function pgClientConfig(settings: PostgresSettings, database: string): ClientConfig {
  const { host, port, user, password } = settings;
  return { host, port, user, password, database, ssl: pgSslOption(settings.tls) };
}

export type Database = Knex;

/** Where knex's own messages go (by default it prints plain text to the console). */
export interface DatabaseLog {
  warn(message: string): void;
  error(message: string): void;
}

export function createDatabase(
  settings: PostgresSettings,
  database: string,
  log?: DatabaseLog,
): Database {
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message));
  const pids = new Set<number>();
  const db = knexFactory({
    ...(log
      ? {
          log: {
            warn: (m: unknown) => log.warn(text(m)),
            error: (m: unknown) => log.error(text(m)),
            deprecate: (m: unknown) => log.warn(text(m)),
            debug: () => undefined,
          },
        }
      : {}),
    client: 'pg',
    connection: pipelinedConnection({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: settings.password,
      database,
      ssl: pgSslOption(settings.tls),
      application_name: `order-saga:${database}`,
      // Statements leave without waiting for the previous answer (see pipelined.ts); knex's own
      // queries await each answer, so they behave as before.
      pipeline: true,
    }),
    pool: {
      min: 0,
      max: settings.poolSize ?? 4,
      idleTimeoutMillis: 30_000,
      // The statements a pipelined transaction sends in one turn leave in one write.
      afterCreate: (connection: PgConnection, done: (error: null, c: PgConnection) => void) => {
        const socket = connection.connection?.stream;
        if (socket) coalesceWritesPerTick(socket);
        const pid = connection.processID;
        if (pid) {
          pids.add(pid);
          connection.once('end', () => pids.delete(pid));
        }
        done(null, connection);
      },
    },
    acquireConnectionTimeout: 10_000,
  });
  backendPids.set(db, pids);
  return db;
}

const backendPids = new WeakMap<Database, ReadonlySet<number>>();

/**
 * The server process ids of the pool's open connections: a notification's sender is one of
 * them when this process sent it.
 */
export function ownBackendPids(db: Database): ReadonlySet<number> {
  return backendPids.get(db) ?? new Set();
}

/** The part of a node-pg client that carries its socket and its server process. */
interface PgConnection {
  connection?: { stream?: Writable };
  processID?: number;
  once(event: 'end', listener: () => void): void;
}

/** knex passes the connection settings to pg.Client as they are; its types omit `pipeline`. */
function pipelinedConnection(
  settings: Knex.PgConnectionConfig & { pipeline: boolean },
): Knex.PgConnectionConfig {
  return settings;
}

/**
 * Creates `database` if it does not exist; safe when several services start at once. True when
 * this call created it.
 */
export async function ensureDatabaseExists(
  settings: PostgresSettings,
  database: string,
): Promise<boolean> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`bad database name ${database}`);
  const client = new Client(pgClientConfig(settings, 'postgres'));
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount !== 0) return false;
    // An identifier cannot be a bound parameter; the name was checked against a strict pattern.
    return await client.query(`CREATE DATABASE "${database}"`).then(
      () => true,
      (error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error;
        return false; // created concurrently
      },
    );
  } finally {
    await client.end();
  }
}

/** Applies the pending migrations of `directory`; returns their names, in order. */
export async function migrateToLatest(db: Database, directory: string): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({
    directory,
    loadExtensions: migrationExtensions,
  })) as [number, string[]];
  return applied;
}

/** knex's record of the migrations applied, one row per file name. */
const MIGRATIONS_TABLE = 'knex_migrations';

/** knex's lock row: set while one process migrates, so that two never migrate at once. */
export const MIGRATION_LOCK_TABLE = 'knex_migrations_lock';

// PostgreSQL's codes for a database, and a table, that does not exist.
const missingDatabase = '3D000';
const missingTable = '42P01';

/**
 * True when the applied migrations are exactly the files of `directory` and no migrator holds
 * the lock: a restart then has nothing to migrate. One query, without loading knex's migrator
 * or any migration file; every other case (no database yet, a migration pending or unknown, the
 * lock taken) is left to `migrateToLatest`, which acts on it or says what is wrong.
 */
export async function isSchemaCurrent(db: Database, directory: string): Promise<boolean> {
  const files = (await readdir(directory)).filter((name) =>
    migrationExtensions.includes(path.extname(name)),
  );
  let rows: Array<{ name: string; locked: number | null }>;
  try {
    const result = await db.raw<{ rows: typeof rows }>(
      `SELECT name, (SELECT max(is_locked) FROM ${MIGRATION_LOCK_TABLE}) AS locked
       FROM ${MIGRATIONS_TABLE}`,
    );
    rows = result.rows;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === missingDatabase || code === missingTable) return false;
    throw error;
  }
  if (rows.some((row) => row.locked !== 0)) return false;
  const applied = new Set(rows.map((row) => row.name));
  return applied.size === files.length && files.every((name) => applied.has(name));
}

/**
 * knex refused to migrate because the lock is taken: the database answered, so this is not an
 * outage but another migrator at work, or the stale lock of one that crashed.
 */
export function isMigrationLocked(error: unknown): boolean {
  return error instanceof Error && error.name === 'MigrationLocked';
}

export async function migrateDown(db: Database, directory: string): Promise<void> {
  await db.migrate.rollback({ directory, loadExtensions: migrationExtensions }, true);
}

export async function checkDatabase(db: Database): Promise<void> {
  await db.raw('SELECT 1');
}

// Compiled services load .js migrations; the test suite runs the TypeScript sources directly.
const migrationExtensions = ['.js', '.ts'];
