import { expect } from 'chai';
import { Database } from '../../lib/db';
import { pipelinedTransaction } from '../../lib/pipelined';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';

describe('pipelined transactions (real PostgreSQL)', function () {
  this.timeout(20_000);
  let db: Database;

  before(async () => {
    const { config } = await createNamespace('pipeline');
    // Any migrated database will do: the test uses a table of its own.
    db = await migratedDatabase(config, 'shipping');
    await db.raw('CREATE TABLE pipeline_probe (id int PRIMARY KEY, note text)');
  });

  after(async () => {
    await db?.destroy();
  });

  const ids = async () =>
    (await db('pipeline_probe').orderBy('id').pluck('id')).map((id: number) => Number(id));

  it('given writes left un-awaited, when the transaction resolves, then every one of them has committed', async () => {
    const value = await pipelinedTransaction(db, async (tx) => {
      const { rows } = await tx.query<{ n: number }>('SELECT 41 + 1 AS n');
      void tx.query('INSERT INTO pipeline_probe (id) VALUES ($1)', [1]);
      void tx.query('INSERT INTO pipeline_probe (id) VALUES ($1)', [2]);
      return rows[0]!.n;
    });

    expect(value).to.equal(42);
    expect(await ids()).to.deep.equal([1, 2]);
  });

  it('given an un-awaited write that fails, when the transaction ends, then it rejects with that error and nothing commits', async () => {
    const failure = await pipelinedTransaction(db, async (tx) => {
      void tx.query('INSERT INTO pipeline_probe (id) VALUES ($1)', [3]);
      void tx.query('INSERT INTO pipeline_probe (id) VALUES ($1)', [1]); // duplicate key
      void tx.query('INSERT INTO pipeline_probe (id) VALUES ($1)', [4]);
    }).then(
      () => undefined,
      (error: { code?: string }) => error,
    );

    expect(failure?.code, 'the statement that failed, not the aborted ones after it').to.equal(
      '23505',
    );
    expect(await ids()).to.deep.equal([1, 2]);
  });

  it('given work that throws after writing, when the transaction ends, then it rolls back and the pool stays usable', async () => {
    const failure = await pipelinedTransaction(db, async (tx) => {
      await tx.query('INSERT INTO pipeline_probe (id) VALUES ($1)', [5]);
      throw new Error('decided against it');
    }).then(
      () => undefined,
      (error: Error) => error.message,
    );

    expect(failure).to.equal('decided against it');
    expect(await ids()).to.deep.equal([1, 2]);
    const again = await Promise.all(
      [6, 7, 8].map((id) =>
        pipelinedTransaction(db, async (tx) => {
          void tx.query('INSERT INTO pipeline_probe (id) VALUES ($1)', [id]);
        }),
      ),
    );
    expect(again).to.have.length(3);
    expect(await ids()).to.deep.equal([1, 2, 6, 7, 8]);
  });
});
