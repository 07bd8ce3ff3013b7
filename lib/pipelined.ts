/**
 * Transactions whose statements are pipelined: each statement is written to the server as soon
 * as it is issued, without waiting for the answer to the one before. A transaction that reads,
 * decides and writes then costs two round trips (BEGIN + reads, then writes + COMMIT) instead
 * of one per statement. node-pg's pipeline mode keeps each statement's own result and error.
 *
 * Within a transaction a failed statement aborts it: every later statement fails and the COMMIT
 * already on the wire rolls back. So a transaction either commits every statement or none.
 *
 * Writes whose result nobody reads (`write`) are gathered and sent as ONE statement of
 * data-modifying CTEs with the COMMIT: PostgreSQL parses, plans and executes one statement
 * instead of several. A transaction that only writes needs no BEGIN or COMMIT at all: its one
 * statement commits on its own.
 */
import type { Client, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { Database } from './db';
import { DISCARD_PLANS, PlanRefresh } from './plan-refresh';

export interface Pipeline {
  /** Sends a statement at once; the transaction waits for every statement before it resolves. */
  query<R extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  /**
   * A write whose result is not needed, sent with the transaction's other writes as one
   * statement. Writes of one transaction run on one snapshot, so they must touch distinct rows
   * (different tables, or different keys); a statement may use `$n` only for its parameters.
   */
  write(sql: string, params?: readonly unknown[]): void;
}

/**
 * The hot path's statements are few and the same every time: naming them lets each connection
 * parse a statement once and reuse its plan. BEGIN and COMMIT stay plain.
 */
const statementNames = new Map<string, string>();
/** Past this many distinct texts a statement is sent unnamed: something builds SQL on the fly. */
const MAX_NAMED_STATEMENTS = 500;

function prepared(sql: string, params?: readonly unknown[]): QueryConfig {
  if (!params || params.length === 0) return { text: sql };
  let name = statementNames.get(sql);
  if (!name && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `saga_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name
    ? { name, text: sql, values: params as unknown[] }
    : { text: sql, values: [...params] };
}

const planRefresh = new PlanRefresh();

/**
 * Queues DISCARD PLANS ahead of the connection's next statement when its plans are due to be
 * made again. It runs outside any transaction, so its failure (only a lost connection, which
 * fails the statements behind it too) costs nothing but the refresh.
 */
function refreshPlansWhenDue(client: Client): void {
  if (planRefresh.isDue(client)) client.query(DISCARD_PLANS).catch(() => undefined);
}

/** One statement on its own (it commits by itself), sent as a named statement. */
export async function statement<R extends QueryResultRow = QueryResultRow>(
  db: Database,
  sql: string,
  params: readonly unknown[],
): Promise<QueryResult<R>> {
  const client = (await db.client.acquireConnection()) as Client;
  try {
    refreshPlansWhenDue(client);
    return await client.query<R>(prepared(sql, params));
  } finally {
    await db.client.releaseConnection(client);
  }
}

/** Several writes as one statement: each a CTE, its `$n` renumbered after the ones before. */
export function combineWrites(
  writes: ReadonlyArray<readonly [string, readonly unknown[]]>,
): [string, unknown[]] {
  if (writes.length === 1) return [writes[0]![0], [...writes[0]![1]]];
  const params: unknown[] = [];
  const parts = writes.map(([sql, values], index) => {
    const offset = params.length;
    params.push(...values);
    return `w${index} AS (${sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  return [`WITH ${parts.join(', ')} SELECT 1`, params];
}

/**
 * Runs `work` in one transaction on a pipelined connection. `work` may leave its last
 * statements un-awaited: COMMIT is sent right behind them, and the transaction resolves only
 * once all of them (and the COMMIT) succeeded. Promises that `work` returns inside its value are
 * therefore settled and successful when this resolves.
 */
export async function pipelinedTransaction<T>(
  db: Database,
  work: (tx: Pipeline) => Promise<T>,
): Promise<T> {
  const client = (await db.client.acquireConnection()) as Client;
  refreshPlansWhenDue(client);
  const sent: Array<Promise<unknown>> = [];
  const writes: Array<readonly [string, readonly unknown[]]> = [];
  let begun = false;
  const send = <R extends QueryResultRow>(sql: string, params?: readonly unknown[]) => {
    const result = client.query<R>(prepared(sql, params));
    // Observed here so that a failure `work` did not await is reported once, by this function.
    sent.push(result.then(() => undefined));
    result.catch(() => undefined);
    return result;
  };
  const query = <R extends QueryResultRow>(sql: string, params?: readonly unknown[]) => {
    if (!begun) {
      begun = true;
      send('BEGIN');
    }
    return send<R>(sql, params);
  };
  try {
    let value: T;
    try {
      value = await work({ query, write: (sql, params = []) => writes.push([sql, params]) });
    } catch (error) {
      if (begun) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    if (writes.length > 0) send(...combineWrites(writes));
    if (!begun) {
      await Promise.all(sent);
      return value;
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
