import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Database,
  createDatabase,
  ensureDatabaseExists,
  isSchemaCurrent,
  migrateDown,
  migrateToLatest,
} from '../../lib/db';
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
});
