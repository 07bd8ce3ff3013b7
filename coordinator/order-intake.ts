/**
 * Accepts orders: starts a saga per new order_id in one transaction with its first command in
 * the outbox. Requests arriving together share a transaction (group commit). A repeated
 * order_id is answered from the stored order: the same body is a replay (200), another body a
 * conflict (409). The unique order_id makes concurrent duplicates yield exactly one saga.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { Batcher } from '../lib/batcher';
import { Database } from '../lib/db';
import { OrderRequest, normalizeLines } from '../sagas/contracts/order-request';
import { startSaga } from '../sagas/order/decide';
import { commandRow, OutboxRow } from './outgoing';
import {
  TimelineRow,
  appendTimeline,
  appendTimelineEntries,
  insertOutbox,
} from './repositories/saga-writes';
import { OrderRow, findOrdersByIds } from './repositories/orders';

export type IntakeResult =
  | { kind: 'created'; order: OrderRow }
  | { kind: 'existing'; order: OrderRow }
  | { kind: 'conflict'; order: OrderRow };

interface NewSaga {
  saga_id: string;
  order_id: string;
  user_id: string;
  request_hash: string;
  items: unknown;
  total: number;
  faults: unknown;
  status: string;
  state: string;
  step: string | null;
  version: number;
  snapshot: unknown;
  timeline_seq: number;
}

export class OrderIntake {
  private readonly batcher: Batcher<OrderRequest, IntakeResult>;

  constructor(
    private readonly db: Database,
    private readonly onCommitted: (outboxRows: number) => void,
  ) {
    this.batcher = new Batcher((requests) => this.submitBatch(requests));
  }

  submit(request: OrderRequest): Promise<IntakeResult> {
    return this.batcher.submit(request);
  }

  private async submitBatch(requests: OrderRequest[]): Promise<IntakeResult[]> {
    const hashes = requests.map(requestHash);
    const now = new Date().toISOString();
    const planned = new Map<
      string,
      { saga: NewSaga; timeline: TimelineRow[]; outbox: OutboxRow[] }
    >();
    requests.forEach((request, index) => {
      if (!planned.has(request.order_id))
        planned.set(request.order_id, plan(request, hashes[index]!, now));
    });
    const created = await this.db.transaction(async (trx) => {
      const inserted = await insertSagas(
        trx,
        [...planned.values()].map((p) => p.saga),
      );
      const fresh = [...planned.values()].filter((p) => inserted.has(p.saga.saga_id));
      await appendTimeline(
        trx,
        fresh.flatMap((p) => p.timeline),
      );
      await insertOutbox(
        trx,
        fresh.flatMap((p) => p.outbox),
      );
      return inserted;
    });
    if (created.size > 0) this.onCommitted(created.size);
    const orders = await findOrdersByIds(this.db, [...planned.keys()]);
    const answered = new Set<string>();
    return requests.map((request, index) => {
      const order = orders.get(request.order_id);
      if (!order) throw new Error(`order ${request.order_id} vanished after insert`);
      if (order.request_hash !== hashes[index]) return { kind: 'conflict', order };
      const first = created.has(order.saga_id) && !answered.has(order.order_id);
      answered.add(order.order_id);
      return { kind: first ? 'created' : 'existing', order };
    });
  }
}

function plan(request: OrderRequest, hash: string, now: string) {
  const sagaId = randomUUID();
  const items = normalizeLines(request.items);
  const decision = startSaga({ sagaId, orderId: request.order_id, items, total: request.total });
  const faults =
    request.simulate || request.force_fail
      ? { simulate: request.simulate ?? null, force_fail: request.force_fail ?? false }
      : null;
  const timeline: TimelineRow[] = [];
  const seq = appendTimelineEntries(timeline, sagaId, 0, decision.timeline, now);
  const identity = { sagaId, orderId: request.order_id };
  const outbox = decision.commands.map((intent) => commandRow(identity, intent, null, now));
  const saga: NewSaga = {
    saga_id: sagaId,
    order_id: request.order_id,
    user_id: request.user_id,
    request_hash: hash,
    items,
    total: request.total,
    faults,
    status: decision.status,
    state: decision.state,
    step: decision.step,
    version: decision.saga.version,
    snapshot: decision.saga,
    timeline_seq: seq,
  };
  return { saga, timeline, outbox };
}

async function insertSagas(trx: Knex.Transaction, sagas: NewSaga[]): Promise<Set<string>> {
  const { rows } = await trx.raw<{ rows: Array<{ saga_id: string }> }>(
    `INSERT INTO sagas (saga_id, order_id, user_id, request_hash, items, total, faults, status,
                        state, step, version, snapshot, timeline_seq)
     SELECT * FROM jsonb_to_recordset(?::jsonb)
       AS r(saga_id uuid, order_id text, user_id text, request_hash text, items jsonb,
            total double precision, faults jsonb, status text, state text, step text,
            version int, snapshot jsonb, timeline_seq int)
     ON CONFLICT (order_id) DO NOTHING
     RETURNING saga_id`,
    [JSON.stringify(sagas)],
  );
  return new Set(rows.map((row) => row.saga_id));
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
