/**
 * Test isolation: every suite gets databases and a RabbitMQ vhost of its own, named after the
 * run, so a running `npm start` and parallel runs never share data. Everything made here is
 * dropped by the root hook after a run that passed, and kept after one that failed.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Config, loadConfig } from '../../lib/config';
import { freePorts } from './ports';

export const TEST_ADMIN_TOKEN = 'test-admin-token';

const runId = `t${randomBytes(3).toString('hex')}`;
interface Created {
  databases: string[];
  vhost: string;
  /** Dropped, or kept for inspection after a failure: either way no longer pending. */
  settled?: 'dropped' | 'kept';
}
const created: Created[] = [];

const pgHost = process.env.POSTGRES_HOST ?? '127.0.0.1';
const rabbitHost = process.env.RABBITMQ_HOST ?? '127.0.0.1';
const managementPort = Number(process.env.RABBITMQ_MANAGEMENT_PORT ?? 15672);
const rabbitAuth = `Basic ${Buffer.from(`${process.env.RABBITMQ_USER ?? 'guest'}:${process.env.RABBITMQ_PASSWORD ?? 'guest'}`).toString('base64')}`;

export interface Namespace {
  /** Environment variables for a service process of this namespace. */
  env: Record<string, string>;
  config: Config;
  vhost: string;
}

/**
 * Where a namespace lives when it is not on the machine's servers: a broker or a database
 * server of a test's own, which holds nothing else and goes away with everything in it.
 */
export interface OwnPlacement {
  broker?: boolean;
  database?: boolean;
}

/** Creates a namespace; `overrides` adjust its settings (e.g. short retry delays). */
export async function createNamespace(
  label: string,
  overrides: Record<string, string> = {},
  own: OwnPlacement = {},
): Promise<Namespace> {
  const prefix = `${runId}_${label}`;
  // A broker of a test's own has only the default vhost, and no management listener to make more.
  const vhost = own.broker ? '/' : `saga-test-${prefix}`;
  if (!own.broker) {
    await management('PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, {});
    await management('PUT', `/api/permissions/${encodeURIComponent(vhost)}/guest`, {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
  }
  const [coordinator, payment, inventory, shipping] = await freePorts(4);
  const env: Record<string, string> = {
    POSTGRES_HOST: pgHost,
    RABBITMQ_HOST: rabbitHost,
    POSTGRES_DB: `${prefix}_orders`,
    PAYMENTS_DB: `${prefix}_payments`,
    INVENTORY_DB: `${prefix}_inventory`,
    SHIPPING_DB: `${prefix}_shipping`,
    RABBITMQ_VHOST: vhost,
    ORDER_SERVICE_PORT: String(coordinator),
    PAYMENT_SERVICE_PORT: String(payment),
    INVENTORY_SERVICE_PORT: String(inventory),
    SHIPPING_SERVICE_PORT: String(shipping),
    MAX_RETRY_ATTEMPTS: '2',
    RETRY_DELAY_SECONDS: '0.2',
    PREFETCH_COUNT: '64',
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    // Off unless a test is about it: tests that fail many orders on purpose expect each one
    // to go STUCK on its own, not to be held behind an open breaker.
    CIRCUIT_BREAKER: 'off',
    // The contract tests were written against version 1 of the order saga and assert its
    // timelines; a test of a later version asks for it.
    SAGA_VERSION: '1',
    ...overrides,
  };
  const config = loadConfig(env);
  // What lives on a server of a test's own is removed with that server.
  if (!own.broker || !own.database) {
    created.push({
      databases: own.database ? [] : Object.values(config.postgres.databases),
      vhost: own.broker ? '' : vhost,
    });
  }
  return { env, config, vhost };
}

/** The databases and vhosts this run kept (after a failure) or has not settled yet. */
export function createdNamespaces(): Array<{ databases: string[]; vhost: string }> {
  return created
    .filter((c) => c.settled !== 'dropped')
    .map(({ databases, vhost }) => ({ databases: [...databases], vhost }));
}

/** Keeps the namespaces created since the last settling, for inspection. */
export function keepPendingNamespaces(): void {
  for (const entry of created) entry.settled ??= 'kept';
}

export const namespaceServers = {
  postgres: `postgres@${pgHost}`,
  rabbitmq: `http://${rabbitHost}:${managementPort}`,
};

/**
 * Drops the databases and vhosts created since the last settling (all of them when nothing was
 * settled yet). Dropped as soon as their suite is over, a run holds only a few at a time: a
 * broker with every suite's quorum queues open at once runs out of file handles.
 */
export async function dropNamespaces(): Promise<void> {
  const pending = created.filter((c) => !c.settled);
  if (pending.length === 0) return;
  const client = new Client({ host: pgHost, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await creationsFinished(
      client,
      pending.flatMap((entry) => entry.databases),
    );
    for (const entry of pending) {
      for (const database of entry.databases) {
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      }
      if (entry.vhost) {
        await management('DELETE', `/api/vhosts/${encodeURIComponent(entry.vhost)}`).catch(
          () => undefined,
        );
      }
      entry.settled = 'dropped';
    }
  } finally {
    await client.end();
  }
}

/** Databases this run dropped that exist again: something created them after their drop. */
export async function droppedDatabasesStillThere(): Promise<string[]> {
  const dropped = created
    .filter((entry) => entry.settled === 'dropped')
    .flatMap((entry) => entry.databases);
  if (dropped.length === 0) return [];
  const client = new Client({ host: pgHost, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = ANY($1::text[]) ORDER BY datname',
      [dropped],
    );
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

/**
 * Waits until no session is creating one of `databases`. A service that exits (or is killed)
 * while its CREATE DATABASE runs leaves the server to finish it: dropped before that, the
 * database would appear again afterwards and outlive the run.
 */
async function creationsFinished(client: Client, databases: string[]): Promise<void> {
  const statements = databases.map((database) => `CREATE DATABASE "${database}"`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await client.query<{ running: number }>(
      `SELECT count(*)::int AS running FROM pg_stat_activity
        WHERE state = 'active' AND query ^@ ANY($1::text[]) AND pid <> pg_backend_pid()`,
      [statements],
    );
    if (rows[0]!.running === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`a CREATE DATABASE of ${databases.join(', ')} ran for more than 30 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function management(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`http://${rabbitHost}:${managementPort}${path}`, {
    method,
    headers: { authorization: rabbitAuth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 404) {
    throw new Error(`RabbitMQ management ${method} ${path} answered ${response.status}`);
  }
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : undefined;
}
