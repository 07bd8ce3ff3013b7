/** How many sagas are in each status, for the console's live counts. */
import { Database } from '../../lib/db';
import { OrderStatus, orderStatuses } from '../../sagas/order/status';

/**
 * One GROUP BY that PostgreSQL answers from the (status, created_at) index. Every status is
 * present, with 0 when no saga has it, so a client can list them without knowing them.
 */
export async function countSagasByStatus(db: Database): Promise<Record<OrderStatus, number>> {
  const rows: Array<{ status: string; count: string | number }> = await db('sagas')
    .select('status')
    .count({ count: '*' })
    .groupBy('status');
  const counts = Object.fromEntries(orderStatuses.map((status) => [status, 0])) as Record<
    OrderStatus,
    number
  >;
  for (const row of rows) {
    if (row.status in counts) counts[row.status as OrderStatus] = Number(row.count);
  }
  return counts;
}
