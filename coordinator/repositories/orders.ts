/** Read models of the order API: orders, their listing and their timelines. */
import { Database } from '../../lib/db';
import { KeysetCursor, isUuid } from '../../lib/http/paging';

export interface OrderRow {
  saga_id: string;
  order_id: string;
  user_id: string;
  request_hash: string;
  status: string;
  step: string | null;
  items: unknown;
  total: number;
  reason: unknown;
  created_at: Date;
  updated_at: Date;
}

export interface TimelineEvent {
  seq: number;
  at: Date;
  type: string;
  details: Record<string, unknown>;
}

const orderColumns = [
  'saga_id',
  'order_id',
  'user_id',
  'request_hash',
  'status',
  'step',
  'items',
  'total',
  'reason',
  'created_at',
  'updated_at',
] as const;

/** A row as pg returns it: numeric comes back as text, to lose nothing. */
type StoredOrder = Omit<OrderRow, 'total'> & { total: string };

/**
 * numeric(14,2) → JSON number. Exact: a double holds every amount of at most 15 significant
 * digits, and its shortest text is the decimal it was made from.
 */
const fromStored = ({ total, ...row }: StoredOrder): OrderRow => ({ ...row, total: Number(total) });

export async function findOrdersByIds(
  db: Database,
  orderIds: string[],
): Promise<Map<string, OrderRow>> {
  const rows: StoredOrder[] = await db('sagas').select(orderColumns).whereIn('order_id', orderIds);
  return new Map(rows.map((row) => [row.order_id, fromStored(row)]));
}

/** An order as a write statement returned it with json_build_object (dates as ISO text). */
export type OrderJson = Omit<OrderRow, 'created_at' | 'updated_at'> & {
  created_at: string;
  updated_at: string;
};

/** Dates read from JSON keep milliseconds, as pg keeps them when it reads a timestamptz. */
export const fromJson = ({ created_at, updated_at, total, ...row }: OrderJson): OrderRow => ({
  ...row,
  total: Number(total),
  created_at: new Date(created_at),
  updated_at: new Date(updated_at),
});

export async function findOrder(db: Database, orderId: string): Promise<OrderRow | undefined> {
  const row: StoredOrder | undefined = await db('sagas')
    .select(orderColumns)
    .where({ order_id: orderId })
    .first();
  return row && fromStored(row);
}

export async function findSaga(db: Database, sagaId: string): Promise<OrderRow | undefined> {
  const row: StoredOrder | undefined = await db('sagas')
    .select(orderColumns)
    .where({ saga_id: sagaId })
    .first();
  return row && fromStored(row);
}

export interface OrderFilter {
  status?: string;
  step?: string;
  userId?: string;
  /** Exclusive bounds on created_at. */
  createdAfter?: Date;
  createdBefore?: Date;
  limit: number;
  after?: KeysetCursor;
}

export interface OrderPage {
  orders: OrderRow[];
  next: KeysetCursor | null;
}

/** Newest first, keyset-paginated on (created_at, saga_id) so pages never skip or repeat. */
export async function listOrders(db: Database, filter: OrderFilter): Promise<OrderPage> {
  // The cursor keeps PostgreSQL's microseconds: a JavaScript Date would round them away.
  const query = db('sagas')
    .select([...orderColumns, db.raw('created_at::text AS cursor_at')])
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'saga_id', order: 'desc' },
    ])
    .limit(filter.limit + 1);
  if (filter.status) query.where({ status: filter.status });
  if (filter.step) query.where({ step: filter.step });
  if (filter.userId) query.where({ user_id: filter.userId });
  if (filter.createdAfter) query.where('created_at', '>', filter.createdAfter);
  if (filter.createdBefore) query.where('created_at', '<', filter.createdBefore);
  if (filter.after) {
    const { at, sagaId } = filter.after;
    query.whereRaw('(created_at, saga_id) < (?::timestamptz, ?::uuid)', [at, sagaId]);
  }
  const rows: Array<StoredOrder & { cursor_at: string }> = await query;
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  const next =
    rows.length > filter.limit && last ? { at: last.cursor_at, sagaId: last.saga_id } : null;
  return { orders: page.map(({ cursor_at: _, ...order }) => fromStored(order)), next };
}

/** A saga's timeline, or only the entries after `afterSeq`. */
export async function timelineOf(
  db: Database,
  sagaId: string,
  afterSeq = 0,
): Promise<TimelineEvent[]> {
  return db('timeline')
    .select('seq', 'at', 'type', 'details')
    .where({ saga_id: sagaId })
    .andWhere('seq', '>', afterSeq)
    .orderBy('seq');
}

/** Which of these sagas are STUCK. A text that is no uuid (a dead letter's header) is none. */
export async function stuckAmong(db: Database, sagaIds: readonly string[]): Promise<Set<string>> {
  const candidates = sagaIds.filter(isUuid);
  if (candidates.length === 0) return new Set();
  const ids: string[] = await db('sagas')
    .whereIn('saga_id', candidates)
    .andWhere({ status: 'STUCK' })
    .pluck('saga_id');
  return new Set(ids);
}
