/**
 * Accepts orders: starts a saga per new order_id in one transaction with its first command in
 * the outbox. Requests arriving together share a transaction (group commit). A repeated
 * order_id is answered from the stored order: the same body is a replay (200), another body a
 * conflict (409). The unique order_id makes concurrent duplicates yield exactly one saga.
 * A row the database refuses fails only its own request: the batch is then retried one
 * order_id at a time, so a bad neighbour can never fail a valid order.
 */
import { createHash } from 'node:crypto';
import { Batcher } from '../lib/batcher';
import { Database } from '../lib/db';
import { statement } from '../lib/pipelined';
import { isTransientError } from '../lib/errors';
import { OrderRequest } from '../sagas/contracts/order-request';
import { IntakeSettings, PlannedSaga, SagaTrace, orderRowOf, plan, recordOf } from './intake-plan';
import { SagaCache } from './saga-cache';
import {
  CommittedOutboxRow,
  committedRows,
  outboxColumns,
  outboxRecordset,
  timelineRecordset,
} from './repositories/saga-writes';
import { OrderRow, findOrdersByIds } from './repositories/orders';

export type { IntakeSettings } from './intake-plan';

export type IntakeResult =
  | { kind: 'created'; order: OrderRow }
  | { kind: 'existing'; order: OrderRow }
  | { kind: 'conflict'; order: OrderRow };

/** What the batch answers for one request: its result, or the error that failed it alone. */
type Settled = IntakeResult | { kind: 'failed'; error: unknown };

/** A saga this intake created, handed on after its commit (e.g. to count or log it). */
export interface AcceptedSaga {
  saga_id: string;
  order_id: string;
}

export class OrderIntake {
  private readonly batcher: Batcher<OrderRequest, Settled>;
  /** The trace a request starts, beside it rather than in it: the batch stays one of orders. */
  private readonly traces = new WeakMap<OrderRequest, SagaTrace>();

  constructor(
    private readonly db: Database,
    /** The sagas just created, and their first commands for the fast path to publish. */
    private readonly onCommitted: (accepted: AcceptedSaga[], outbox: CommittedOutboxRow[]) => void,
    private readonly settings: IntakeSettings,
    /** Where the saga runner finds the sagas this coordinator has just written. */
    private readonly cache?: SagaCache,
  ) {
    this.batcher = new Batcher((requests) => this.submitBatch(requests));
  }

  /** `trace`: the request's own new trace, whose id then becomes the saga's id. */
  async submit(request: OrderRequest, trace?: SagaTrace): Promise<IntakeResult> {
    if (trace) this.traces.set(request, trace);
    const outcome = await this.batcher.submit(request);
    if (outcome.kind === 'failed') throw outcome.error;
    return outcome;
  }

  private async submitBatch(requests: OrderRequest[]): Promise<Settled[]> {
    try {
      return await this.insertBatch(requests);
    } catch (error) {
      // A lost connection fails every request alike: answering them all (503) is honest.
      if (requests.length === 1 || isTransientError(error)) throw error;
      return this.insertEachOrderAlone(requests);
    }
  }

  /** Each order_id in a statement of its own; a statement that fails fails only its requests. */
  private async insertEachOrderAlone(requests: OrderRequest[]): Promise<Settled[]> {
    const groups = new Map<string, number[]>();
    requests.forEach((request, index) =>
      groups.set(request.order_id, [...(groups.get(request.order_id) ?? []), index]),
    );
    const results: Settled[] = [];
    await Promise.all(
      [...groups.values()].map(async (indexes) => {
        const group = indexes.map((index) => requests[index]!);
        const settled = await this.insertBatch(group).catch((error: unknown) =>
          group.map((): Settled => ({ kind: 'failed', error })),
        );
        indexes.forEach((index, k) => (results[index] = settled[k]!));
      }),
    );
    return results;
  }

  private async insertBatch(requests: OrderRequest[]): Promise<IntakeResult[]> {
    const hashes = requests.map(requestHash);
    const now = new Date().toISOString();
    const planned = new Map<string, PlannedSaga>();
    requests.forEach((request, index) => {
      if (!planned.has(request.order_id))
        planned.set(
          request.order_id,
          plan(request, hashes[index]!, now, this.settings, this.traces.get(request)),
        );
    });
    const { created, outbox } = await insertNewSagas(this.db, [...planned.values()]);
    const createdSagas = [...planned.values()]
      .filter(({ saga }) => created.has(saga.saga_id))
      .map(({ saga }) => saga);
    for (const saga of createdSagas) this.cache?.remember(recordOf(saga, now));
    const accepted = createdSagas.map(({ saga_id, order_id }) => ({ saga_id, order_id }));
    if (accepted.length > 0) this.onCommitted(accepted, outbox);
    const existing = [...planned.values()].some((p) => !created.has(p.saga.saga_id))
      ? await findOrdersByIds(this.db, [...planned.keys()])
      : new Map<string, OrderRow>();
    const answered = new Set<string>();
    return requests.map((request, index) => {
      const mine = planned.get(request.order_id)!;
      const order = created.has(mine.saga.saga_id)
        ? orderRowOf(mine.saga, now)
        : existing.get(request.order_id);
      if (!order) throw new Error(`order ${request.order_id} vanished after insert`);
      if (order.request_hash !== hashes[index]) return { kind: 'conflict', order };
      const first = created.has(order.saga_id) && !answered.has(order.order_id);
      answered.add(order.order_id);
      return { kind: first ? 'created' : 'existing', order };
    });
  }
}

/**
 * One autocommit statement per batch: the sagas whose order_id is new, and only their timeline
 * and outbox rows. A concurrent insert of the same order_id waits on the unique key and then
 * skips, so exactly one request creates each saga.
 */
async function insertNewSagas(
  db: Database,
  planned: PlannedSaga[],
): Promise<{ created: Set<string>; outbox: CommittedOutboxRow[] }> {
  const { rows } = await statement<{
    saga_id: string;
    outbox: Array<{ id: string; message_id: string }>;
  }>(
    db,
    `WITH new AS (
       INSERT INTO sagas (saga_id, order_id, user_id, request_hash, items, total, faults, status,
                          state, step, version, snapshot, timeline_seq, deadline_at,
                          deadline_token, stuck_since)
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS r(saga_id uuid, order_id text, user_id text, request_hash text, items jsonb,
              total numeric, faults jsonb, status text, state text, step text,
              version int, snapshot jsonb, timeline_seq int, deadline_at timestamptz,
              deadline_token uuid, stuck_since timestamptz)
       ON CONFLICT (order_id) DO NOTHING
       RETURNING saga_id
     ), timeline_rows AS (
       INSERT INTO timeline (saga_id, seq, at, type, details)
       SELECT r.saga_id, r.seq, r.at, r.type, r.details
       FROM ${timelineRecordset('$2')} JOIN new USING (saga_id)
     ), outbox_rows AS (
       INSERT INTO outbox (${outboxColumns})
       SELECT ${outboxColumns}
       FROM ${outboxRecordset('$3')} JOIN new USING (saga_id)
       RETURNING id::text, message_id
     )
     SELECT new.saga_id,
            coalesce((SELECT json_agg(o) FROM outbox_rows o), '[]'::json) AS outbox
     FROM new`,
    [
      JSON.stringify(planned.map((p) => p.saga)),
      JSON.stringify(planned.flatMap((p) => p.timeline)),
      JSON.stringify(planned.flatMap((p) => p.outbox)),
    ],
  );
  const plannedOutbox = planned.flatMap((p) => p.outbox);
  return {
    created: new Set(rows.map((row) => row.saga_id)),
    outbox: committedRows(plannedOutbox, rows[0]?.outbox ?? []),
  };
}

/** The same JSON value gives the same hash: key order and 20 vs 20.0 do not matter. */
export function requestHash(request: OrderRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
