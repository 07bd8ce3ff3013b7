import { expect } from 'chai';
import { Database } from '../../lib/db';
import { combineWrites, pipelinedTransaction } from '../../lib/pipelined';
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

  it('given only writes, when the transaction ends, then they all commit', async () => {
    const seen: string[] = [];

    await pipelinedTransaction(db, async (tx) => {
      tx.write('INSERT INTO pipeline_probe (id, note) VALUES ($1, $2)', [10, 'a']);
      tx.write('INSERT INTO pipeline_probe (id, note) VALUES ($1, $2)', [11, 'b']);
      seen.push('written');
    });

    expect(seen).to.deep.equal(['written']);
    const notes = await db('pipeline_probe').whereIn('id', [10, 11]).orderBy('id').pluck('note');
    expect(notes).to.deep.equal(['a', 'b']);
  });

  it('given writes of which one fails, when the transaction ends, then none of them commits', async () => {
    const failure = await pipelinedTransaction(db, async (tx) => {
      tx.write('INSERT INTO pipeline_probe (id) VALUES ($1)', [12]);
      tx.write('INSERT INTO pipeline_probe (id) VALUES ($1)', [10]); // duplicate key
    }).then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );

    expect(failure).to.equal('23505');
    expect(await db('pipeline_probe').where({ id: 12 }).first()).to.equal(undefined);
  });

  it('given reads and writes, when the transaction ends, then the writes commit after the reads in one transaction', async () => {
    const before = await pipelinedTransaction(db, async (tx) => {
      const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM pipeline_probe');
      tx.write('INSERT INTO pipeline_probe (id) VALUES ($1)', [13]);
      tx.write('UPDATE pipeline_probe SET note = $1 WHERE id = $2', ['c', 1]);
      return Number(rows[0]!.n);
    });

    expect(before).to.equal(7);
    expect(await db('pipeline_probe').where({ id: 1 }).first('note')).to.deep.equal({ note: 'c' });
    expect(await db('pipeline_probe').where({ id: 13 }).first('id')).to.deep.equal({ id: 13 });
  });

  it('given several writes, when combined, then each keeps its own parameters', () => {
    const [sql, params] = combineWrites([
      ['INSERT INTO a VALUES ($1, $2)', [1, 2]],
      ['UPDATE b SET x = $1 WHERE y = $2 AND z = $1', [3, 4]],
    ]);

    expect(sql).to.equal(
      'WITH w0 AS (INSERT INTO a VALUES ($1, $2)), w1 AS (UPDATE b SET x = $3 WHERE y = $4 AND z = $3) SELECT 1',
    );
    expect(params).to.deep.equal([1, 2, 3, 4]);
  });
});
