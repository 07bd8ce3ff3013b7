/** Read models of the order API: orders, their listing and their timelines. */
import { Database } from '../../lib/db';
import { KeysetCursor } from '../../lib/http/paging';

export interface OrderRow {
  saga_id: string;
  order_id: string;
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
  'request_hash',
  'status',
  'step',
  'items',
  'total',
  'reason',
  'created_at',
  'updated_at',
] as const;

export async function findOrdersByIds(
  db: Database,
  orderIds: string[],
): Promise<Map<string, OrderRow>> {
  const rows: OrderRow[] = await db('sagas').select(orderColumns).whereIn('order_id', orderIds);
  return new Map(rows.map((row) => [row.order_id, row]));
}

export async function findOrder(db: Database, orderId: string): Promise<OrderRow | undefined> {
  return db('sagas').select(orderColumns).where({ order_id: orderId }).first();
}

export async function findSaga(db: Database, sagaId: string): Promise<OrderRow | undefined> {
  return db('sagas').select(orderColumns).where({ saga_id: sagaId }).first();
}

export interface OrderPage {
  orders: OrderRow[];
  next: KeysetCursor | null;
}

/** Newest first, keyset-paginated on (created_at, saga_id) so pages never skip or repeat. */
export async function listOrders(
  db: Database,
  options: { status?: string; limit: number; after?: KeysetCursor },
): Promise<OrderPage> {
  // The cursor keeps PostgreSQL's microseconds: a JavaScript Date would round them away.
  const query = db('sagas')
    .select([...orderColumns, db.raw('created_at::text AS cursor_at')])
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'saga_id', order: 'desc' },
    ])
    .limit(options.limit + 1);
  if (options.status) query.where({ status: options.status });
  if (options.after) {
    const { at, sagaId } = options.after;
    query.whereRaw('(created_at, saga_id) < (?::timestamptz, ?::uuid)', [at, sagaId]);
  }
  const rows: Array<OrderRow & { cursor_at: string }> = await query;
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  const next =
    rows.length > options.limit && last ? { at: last.cursor_at, sagaId: last.saga_id } : null;
  return { orders: page.map(({ cursor_at: _, ...order }) => order), next };
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
