import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createNamespace, Namespace } from '../helpers/namespace';
import { projectRoot, runNode } from '../helpers/processes';

const MIGRATE = 'dist/scripts/migrate.js';
const roles = ['orders', 'payments', 'inventory', 'shipping'] as const;

async function appliedMigrations(namespace: Namespace, database: string): Promise<string[]> {
  const { host, port, user, password } = namespace.config.postgres;
  const client = new Client({ host, port, user, password, database });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      'SELECT name FROM knex_migrations ORDER BY id',
    );
    return rows.map((row) => path.basename(row.name, path.extname(row.name)));
  } finally {
    await client.end();
  }
}

function migrationFiles(role: string): string[] {
  return readdirSync(path.join(projectRoot, 'migrations', role))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.basename(file, '.ts'))
    .sort();
}

describe('npm run migrate (compiled script as a process)', function () {
  this.timeout(60_000);
  let namespace: Namespace;

  before(async () => {
    namespace = await createNamespace('migrate');
  });

  it('given no databases, when migrate runs, then it creates and migrates all four and says so per database', async () => {
    const run = runNode(MIGRATE, namespace.env);
    const exit = await run.exit(30_000);

    expect(exit.code, run.text()).to.equal(0);
    for (const role of roles) {
      const database = namespace.config.postgres.databases[role];
      expect(run.text()).to.include(`${role}: database ${database} created; applied `);
      expect(await appliedMigrations(namespace, database)).to.deep.equal(migrationFiles(role));
    }
  });

  it('given migrated databases, when migrate runs again, then it changes nothing and says they are up to date', async () => {
    const run = runNode(MIGRATE, namespace.env);
    const exit = await run.exit(30_000);

    expect(exit.code, run.text()).to.equal(0);
    const lines = run.text().trim().split('\n');
    expect(lines).to.deep.equal(
      roles.map(
        (role) =>
          `${role}: database ${namespace.config.postgres.databases[role]} exists; up to date`,
      ),
    );
  });

  it('given a PostgreSQL role that does not exist, when migrate runs, then it exits with the configuration code naming the address and user', async () => {
    const run = runNode(MIGRATE, { ...namespace.env, POSTGRES_USER: 'no_such_role_xyz' });
    const exit = await run.exit(30_000);

    expect(exit.code, run.text()).to.equal(78);
    const { host, port, databases } = namespace.config.postgres;
    expect(run.text()).to.include(
      `orders: access refused at postgres://${host}:${port}/${databases.orders} as user no_such_role_xyz`,
    );
  });
});
