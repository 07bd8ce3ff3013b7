/** Reads, through the public HTTP APIs only, what the system says about each order and SKU. */
import { JsonResponse, request } from '../helpers/api';
import { waitFor } from '../helpers/wait';
import { System } from '../helpers/system';
import { OrderEvidence } from './invariants';

export interface SubmittedOrder {
  order_id: string;
  lines: Array<{ sku: string; quantity: number }>;
}

export async function collectEvidence(
  system: System,
  orders: SubmittedOrder[],
): Promise<OrderEvidence[]> {
  return mapLimit(orders, 16, async ({ order_id, lines }) => {
    const id = encodeURIComponent(order_id);
    const [order, timeline, payments, reservation, shipments] = await Promise.all([
      settled<{ status: string }>(`${system.url('coordinator')}/orders/${id}`),
      settled<{ events: OrderEvidence['timeline'] }>(
        `${system.url('coordinator')}/orders/${id}/timeline`,
      ),
      settled<{ authorizations: OrderEvidence['authorizations'] }>(
        `${system.url('payment')}/payments/${id}`,
      ),
      settled<NonNullable<OrderEvidence['reservation']>>(
        `${system.url('inventory')}/reservations/${id}`,
      ),
      settled<{ shipments: OrderEvidence['shipments'] }>(
        `${system.url('shipping')}/shipments/${id}`,
      ),
    ]);
    return {
      order_id,
      lines,
      ...(order.status === 200 ? { status: order.body.status } : {}),
      timeline: timeline.status === 200 ? timeline.body.events : [],
      authorizations: payments.status === 200 ? payments.body.authorizations : [],
      ...(reservation.status === 200 ? { reservation: reservation.body } : {}),
      shipments: shipments.status === 200 ? shipments.body.shipments : [],
    };
  });
}

/**
 * An answer that is not a 5xx: a read can meet a connection the chaos just cut (503), which a
 * client retries; treating it as "not found" would report a lost order that is not lost.
 */
async function settled<T>(url: string): Promise<JsonResponse<T>> {
  return waitFor(
    `an answer from ${url}`,
    () => request<T>(url),
    (answer) => answer.status < 500,
    {
      timeoutMs: 30_000,
      intervalMs: 200,
    },
  );
}

export async function stockLevels(
  system: System,
): Promise<Map<string, { available: number; reserved: number }>> {
  const answer = await request<{
    stock: Array<{ sku: string; available: number; reserved: number }>;
  }>(`${system.url('inventory')}/stock`);
  return new Map(
    answer.body.stock.map(({ sku, available, reserved }) => [sku, { available, reserved }]),
  );
}

/** Statuses of every order the coordinator knows, read page by page. */
export async function statuses(system: System): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page: {
      body: { orders: Array<{ order_id: string; status: string }>; next_cursor: string | null };
    } = await request(
      `${system.url('coordinator')}/orders?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const order of page.body.orders) result.set(order.order_id, order.status);
    cursor = page.body.next_cursor;
  } while (cursor);
  return result;
}

export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}
