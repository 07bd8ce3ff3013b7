/** Order load for chaos runs: a careful client that retries a POST until it is answered. */
import { request } from '../helpers/api';
import { System } from '../helpers/system';
import { SubmittedOrder, mapLimit } from './evidence';

const skus = ['Book', 'Pen', 'Mug'];

export function makeOrders(runId: string, count: number): SubmittedOrder[] {
  return Array.from({ length: count }, (_, i) => ({
    order_id: `chaos-${runId}-${i}`,
    lines: [{ sku: skus[i % skus.length]!, quantity: 1 + (i % 3) }],
  }));
}

/** Submits every order; an order counts as submitted once the API accepted it (202 or 200). */
export async function submitAll(
  system: System,
  orders: SubmittedOrder[],
  concurrency: number,
): Promise<void> {
  await mapLimit(orders, concurrency, async ({ order_id, lines }) => {
    const body = { order_id, user_id: 'chaos', items: lines, total: 5 };
    for (let attempt = 1; ; attempt += 1) {
      const status = await request(`${system.url('coordinator')}/orders`, { body })
        .then((r) => r.status)
        .catch(() => 0);
      if (status === 202 || status === 200) return;
      if (status >= 400 && status < 500)
        throw new Error(`order ${order_id} refused with ${status}`);
      if (attempt >= 300) throw new Error(`order ${order_id} was never accepted`);
      // The coordinator may be restarting: wait, then retry the idempotent POST.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
}
