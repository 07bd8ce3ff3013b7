import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { management } from '../helpers/namespace';

const root = path.resolve(__dirname, '../..');

/** Runs the fixture as a mocha run of its own, with the real root hooks; returns its output. */
function runFixture(outcome: 'pass' | 'fail' | 'hook'): Promise<{ code: number; output: string }> {
  const mocha = path.join(root, 'node_modules/mocha/bin/mocha.js');
  const args = [
    mocha,
    '--no-config',
    '--require',
    'tsx/cjs',
    '--require',
    'test/hooks/root-hooks.ts',
    '--timeout',
    '20000',
    'test/hooks/fixtures/namespace-run.fixture.ts',
  ];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: root, env: { ...process.env, FIXTURE_OUTCOME: outcome } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

function namesIn(output: string): { vhost: string; database: string } {
  const match = /FIXTURE_VHOST=(\S+) FIXTURE_DB=(\S+)/.exec(output);
  if (!match) throw new Error(`the fixture did not create a namespace:\n${output}`);
  return { vhost: match[1]!, database: match[2]! };
}

async function exists({ vhost, database }: { vhost: string; database: string }) {
  const client = new Client({
    host: process.env.POSTGRES_HOST ?? '127.0.0.1',
    user: 'postgres',
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    const found = (await management('GET', `/api/vhosts/${encodeURIComponent(vhost)}`)) as
      { name?: string } | undefined;
    return { database: rowCount === 1, vhost: found?.name === vhost };
  } finally {
    await client.end();
  }
}

async function drop({ vhost, database }: { vhost: string; database: string }) {
  const client = new Client({
    host: process.env.POSTGRES_HOST ?? '127.0.0.1',
    user: 'postgres',
    database: 'postgres',
  });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await management('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
}

describe('test namespaces (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(60_000);

  it('given a run whose test fails, when it ends, then its database and vhost are kept and the run says where', async () => {
    // Act
    const run = await runFixture('fail');
    const names = namesIn(run.output);

    try {
      // Assert
      expect(run.code, run.output).to.not.equal(0);
      expect(await exists(names)).to.deep.equal({ database: true, vhost: true });
      expect(run.output).to.include('kept for inspection').and.include(names.vhost);
      expect(run.output).to.include(names.database);
    } finally {
      await drop(names);
    }
  });

  it('given a run whose before hook fails (its tests never run), when it ends, then its database and vhost are kept', async () => {
    // Act
    const run = await runFixture('hook');
    const names = namesIn(run.output);

    try {
      // Assert
      expect(run.code, run.output).to.not.equal(0);
      expect(await exists(names)).to.deep.equal({ database: true, vhost: true });
    } finally {
      await drop(names);
    }
  });

  it('given a run whose tests pass, when it ends, then its database and vhost are dropped', async () => {
    // Act
    const run = await runFixture('pass');
    const names = namesIn(run.output);

    // Assert
    expect(run.code, run.output).to.equal(0);
    expect(await exists(names)).to.deep.equal({ database: false, vhost: false });
    expect(run.output, 'dropped when its own suite ended, not at the end of the run').to.include(
      'FIXTURE_BEFORE_GONE=true',
    );
  });
});
