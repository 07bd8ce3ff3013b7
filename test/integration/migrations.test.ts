import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  Database,
  createDatabase,
  ensureDatabaseExists,
  isSchemaCurrent,
  migrateDown,
  migrateToLatest,
  pgClientConfig,
} from '../../lib/db';
import { statement } from '../../lib/pipelined';
import { createNamespace } from '../helpers/namespace';

const roles = ['orders', 'payments', 'inventory', 'shipping'] as const;

describe('migrations (real PostgreSQL)', function () {
  this.timeout(30_000);

  for (const role of roles) {
    it(`given an empty ${role} database, when migrated up, down and up again, then every table comes and goes`, async () => {
      const { config } = await createNamespace(`migrations_${role}`);
      const name = config.postgres.databases[role];
      await ensureDatabaseExists(config.postgres, name);
      await ensureDatabaseExists(config.postgres, name); // creating twice is harmless
      const db: Database = createDatabase(config.postgres, name);
      const directory = path.resolve(__dirname, '../../migrations', role);
      const tables = async () =>
        (await db('pg_tables').where({ schemaname: 'public' }).pluck('tablename')).filter(
          (t: string) => !t.startsWith('knex_'),
        );
      try {
        await migrateToLatest(db, directory);
        const up = await tables();
        await migrateDown(db, directory);
        const down = await tables();
        await migrateToLatest(db, directory);

        expect(up.length).to.be.greaterThan(0);
        expect(down).to.deep.equal([]);
        expect((await tables()).sort()).to.deep.equal([...up].sort());
      } finally {
        await db.destroy();
      }
    });
  }

  it('given the orders and payments databases, when migrated, then order totals and authorized amounts are numeric(14,2)', async () => {
    const { config } = await createNamespace('migrations_money');
    const columns: string[] = [];
    for (const [role, table, column] of [
      ['orders', 'sagas', 'total'],
      ['payments', 'authorizations', 'amount'],
    ] as const) {
      const name = config.postgres.databases[role];
      await ensureDatabaseExists(config.postgres, name);
      const db = createDatabase(config.postgres, name);
      try {
        await migrateToLatest(db, path.resolve(__dirname, '../../migrations', role));
        const { rows } = await db.raw<{ rows: Array<{ type: string }> }>(
          `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
           WHERE attrelid = ?::regclass AND attname = ?`,
          [table, column],
        );
        columns.push(`${table}.${column} ${rows[0]?.type}`);
      } finally {
        await db.destroy();
      }
    }

    expect(columns).to.deep.equal([
      'sagas.total numeric(14,2)',
      'authorizations.amount numeric(14,2)',
    ]);
  });

  it('given a database, when its schema is checked before, during and after migrating, then only the fully migrated, unlocked one is current', async () => {
    const { config } = await createNamespace('migrations_current');
    const name = config.postgres.databases.shipping;
    const source = path.resolve(__dirname, '../../migrations/shipping');
    // A copy, so that a migration can be added to it without touching the project's own.
    const directory = mkdtempSync(path.join(os.tmpdir(), 'saga-migrations-'));
    for (const file of readdirSync(source)) {
      copyFileSync(path.join(source, file), path.join(directory, file));
    }
    const db = createDatabase(config.postgres, name);
    try {
      expect(await isSchemaCurrent(db, directory), 'no database yet').to.equal(false);
      await ensureDatabaseExists(config.postgres, name);
      expect(await isSchemaCurrent(db, directory), 'never migrated').to.equal(false);
      await migrateToLatest(db, directory);
      expect(await isSchemaCurrent(db, directory), 'migrated').to.equal(true);

      await db.raw('UPDATE knex_migrations_lock SET is_locked = 1');
      expect(await isSchemaCurrent(db, directory), 'lock held').to.equal(false);
      await db.raw('UPDATE knex_migrations_lock SET is_locked = 0');

      writeFileSync(
        path.join(directory, '29991231000001_pending.ts'),
        'export async function up(): Promise<void> {}\nexport async function down(): Promise<void> {}\n',
      );
      expect(await isSchemaCurrent(db, directory), 'a migration pending').to.equal(false);
      await migrateToLatest(db, directory);
      expect(await isSchemaCurrent(db, directory), 'migrated again').to.equal(true);

      rmSync(path.join(directory, '29991231000001_pending.ts'));
      expect(await isSchemaCurrent(db, directory), 'an applied migration unknown here').to.equal(
        false,
      );
    } finally {
      await db.destroy();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('given a named statement a connection first ran on empty tables, when the table has grown and the connection drops its plans, then the statement uses the index', async () => {
    const { config } = await createNamespace('migrations_plans');
    const name = config.postgres.databases.orders;
    await ensureDatabaseExists(config.postgres, name);
    const migrator = createDatabase(config.postgres, name);
    try {
      await migrateToLatest(migrator, path.resolve(__dirname, '../../migrations/orders'));
    } finally {
      await migrator.destroy();
    }
    // A service's pool, reduced to one connection so that the plan read is the one it uses; the
    // shape of the saga store's lookups, on rows about as wide as a saga's.
    const db = createDatabase({ ...config.postgres, poolSize: 1 }, name);
    const lookup = `SELECT s.saga_id FROM sagas s
      JOIN jsonb_to_recordset($1::jsonb) AS r(saga_id uuid) USING (saga_id)`;
    const params = [JSON.stringify([{ saga_id: '6f1c2a4e-0000-4000-8000-000000000000' }])];
    const planOfLookup = async () => {
      const client = (await db.client.acquireConnection()) as Client;
      try {
        const prepared = await client.query<{ name: string }>(
          'SELECT name FROM pg_prepared_statements WHERE statement = $1',
          [lookup],
        );
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN EXECUTE ${prepared.rows[0]!.name}('${params[0]}')`,
        );
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      } finally {
        await db.client.releaseConnection(client);
      }
    };
    try {
      // An ANALYZE by autovacuum would have the statement planned again on its own.
      await db.raw('ALTER TABLE sagas SET (autovacuum_enabled = false)');
      const firstUse = Date.now();
      for (let run = 0; run < 8; run++) await statement(db, lookup, params);
      await db.raw(`INSERT INTO sagas (saga_id, order_id, user_id, request_hash, items, total,
          status, state, version, snapshot)
        SELECT gen_random_uuid(), 'o-' || n, 'u', 'h', '[]', 1, 'COMPLETED', 'completed', 1,
          jsonb_build_object('context', repeat('x', 700))
          FROM generate_series(1, 20000) AS n`);
      expect(await planOfLookup(), 'the plan kept from the empty table').to.include(
        'Seq Scan on sagas',
      );

      // The connection's plans are first dropped after a second of use.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, firstUse + 1_100 - Date.now())),
      );
      await statement(db, lookup, params);

      const plan = await planOfLookup();
      expect(plan).not.to.include('Seq Scan on sagas');
      expect(plan).to.match(/Index (Only )?Scan using sagas_pkey/);
      const settings = await db.raw<{ rows: Array<{ settings: number }> }>(
        `SELECT count(*)::int AS settings FROM pg_db_role_setting
          WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(settings.rows[0]!.settings, 'database settings left by the migrations').to.equal(0);
    } finally {
      await db.destroy();
    }
  });

  it('given a database its account does not own, when migrated, then every migration runs and only the plan setting is left to the owner', async () => {
    const { config } = await createNamespace('migrations_not_owner');
    const name = config.postgres.databases.shipping;
    await ensureDatabaseExists(config.postgres, name);
    const account = `${name}_account`;
    const admin = new Client(pgClientConfig(config.postgres, name));
    await admin.connect();
    const db = createDatabase({ ...config.postgres, user: account }, name);
    try {
      await admin.query(`CREATE ROLE "${account}" LOGIN`);
      await admin.query(`GRANT CREATE ON SCHEMA public TO "${account}"`);

      await migrateToLatest(db, path.resolve(__dirname, '../../migrations/shipping'));

      const tables = await db('pg_tables').where({ schemaname: 'public' }).pluck('tablename');
      expect(tables).to.include.members(['shipments', 'processed_commands']);
      const { rows } = await admin.query(
        `SELECT count(*)::int AS settings FROM pg_db_role_setting
          WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(rows[0].settings).to.equal(0);
    } finally {
      await db.destroy();
      await admin.query(`DROP OWNED BY "${account}"`).catch(() => undefined);
      await admin.query(`DROP ROLE IF EXISTS "${account}"`);
      await admin.end();
    }
  });
});
