/**
 * Transactions whose statements are pipelined: each statement is written to the server as soon
 * as it is issued, without waiting for the answer to the one before. A transaction that reads,
 * decides and writes then costs two round trips (BEGIN + reads, then writes + COMMIT) instead
 * of one per statement. node-pg's pipeline mode keeps each statement's own result and error.
 *
 * Within a transaction a failed statement aborts it: every later statement fails and the COMMIT
 * already on the wire rolls back. So a transaction either commits every statement or none.
 */
import type { Client, QueryResult, QueryResultRow } from 'pg';
import { Database } from './db';

export interface Pipeline {
  /** Sends a statement at once; the transaction waits for every statement before it resolves. */
  query<R extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
}

/** A knex query builder compiled for a pipeline: `tx.query(...sqlOf(db('t').insert(rows)))`. */
export function sqlOf(builder: { toSQL(): { toNative(): { sql: string; bindings: unknown } } }) {
  const { sql, bindings } = builder.toSQL().toNative();
  return [sql, bindings as readonly unknown[]] as const;
}

/**
 * Runs `work` in one transaction on a pipelined connection. `work` may leave its last writes
 * un-awaited: COMMIT is sent right behind them, and the transaction resolves only once all of
 * them (and the COMMIT) succeeded. Promises that `work` returns inside its value are therefore
 * settled and successful when this resolves.
 */
export async function pipelinedTransaction<T>(
  db: Database,
  work: (tx: Pipeline) => Promise<T>,
): Promise<T> {
  const client = (await db.client.acquireConnection()) as Client;
  const sent: Array<Promise<unknown>> = [];
  const send = <R extends QueryResultRow>(sql: string, params?: readonly unknown[]) => {
    const result = client.query<R>(sql, params as unknown[] | undefined);
    // Observed here so that a failure `work` did not await is reported once, by this function.
    sent.push(result.then(() => undefined));
    result.catch(() => undefined);
    return result;
  };
  try {
    send('BEGIN');
    let value: T;
    try {
      value = await work({ query: send });
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    const commit = send('COMMIT');
    await Promise.all(sent);
    // A statement that failed aborts the transaction, and the server answers COMMIT with ROLLBACK.
    if ((await commit).command !== 'COMMIT') throw new Error('transaction rolled back');
    return value;
  } finally {
    await Promise.allSettled(sent);
    await db.client.releaseConnection(client);
  }
}
