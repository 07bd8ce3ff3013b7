import { expect } from 'chai';
import { OrderView, request } from '../helpers/api';
import { createNamespace } from '../helpers/namespace';
import {
  closeBrokerConnections,
  listConnections,
  terminateDatabaseSessions,
} from '../chaos/faults';
import { System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

/** What a careful client does: retry a POST (it is idempotent) until it gets an answer. */
async function submitWithRetry(api: string, body: object): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const status = await request(`${api}/orders`, { body })
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 202 || status === 200) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`order ${JSON.stringify(body)} was never accepted`);
}

describe('connection loss (all four services as processes)', function () {
  this.timeout(120_000);
  let system: System;

  before(async function () {
    system = new System(await createNamespace('connloss'));
    await system.start();
  });

  after(async () => {
    await system?.stop();
  });

  it('given orders in flight, when every broker connection and database session is cut, then every order completes exactly once', async () => {
    const api = system.url('coordinator');
    const inventory = system.url('inventory');
    const before = (await request<{ available: number }>(`${inventory}/stock/Mug`)).body.available;
    // Listed before the load, so the cut below happens while orders are in flight.
    await waitFor(
      'all four broker connections to be listed',
      () => listConnections(system),
      (c) => c.length >= 4,
      {
        timeoutMs: 20_000,
        intervalMs: 250,
      },
    );
    const orderIds = Array.from({ length: 300 }, (_, i) => `loss-${i}`);
    const submitting = (async () => {
      for (let i = 0; i < orderIds.length; i += 10) {
        await Promise.all(
          orderIds
            .slice(i, i + 10)
            .map((orderId) =>
              submitWithRetry(api, { order_id: orderId, user_id: 'u', items: ['Mug'], total: 3 }),
            ),
        );
      }
    })();

    await waitFor(
      'some orders to be accepted',
      async () =>
        (await request<{ orders: unknown[] }>(`${api}/orders?limit=20`)).body.orders.length,
      (n) => n >= 20,
    );
    const closed = await closeBrokerConnections(system);
    const terminated = await terminateDatabaseSessions(system);
    // Right after the cut a read may meet a dead pooled connection (503): retry like a client.
    const completedAtCut = (
      await waitFor(
        'the order list to answer after the cut',
        () => request<{ orders: unknown[] }>(`${api}/orders?status=COMPLETED&limit=500`),
        (answer) => answer.status === 200,
      )
    ).body.orders.length;
    // Cut again once the pipeline moves after the first cut, i.e. while it is recovering.
    await waitFor(
      'an order to complete after the cut',
      async () =>
        (await request<{ orders: unknown[] }>(`${api}/orders?status=COMPLETED&limit=500`)).body
          .orders.length,
      (completed) => completed > completedAtCut,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const closedAgain = await closeBrokerConnections(system, 0);
    await submitting;

    expect(completedAtCut, 'orders already complete when the connections were cut').to.be.lessThan(
      orderIds.length,
    );
    expect(closed + closedAgain).to.be.greaterThan(0);
    expect(terminated).to.be.greaterThan(0);
    const orders = await waitFor(
      'every order to complete',
      async () =>
        Promise.all(
          orderIds.map(async (id) => (await request<OrderView>(`${api}/orders/${id}`)).body),
        ),
      (all) => all.every((o) => o.status === 'COMPLETED'),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(orders).to.have.length(orderIds.length);
    const after = (await request<{ available: number }>(`${inventory}/stock/Mug`)).body.available;
    expect(before - after).to.equal(orderIds.length);
    for (const orderId of orderIds.slice(0, 30)) {
      const payments = await request<{ authorizations: unknown[] }>(
        `${system.url('payment')}/payments/${orderId}`,
      );
      const shipments = await request<{ shipments: unknown[] }>(
        `${system.url('shipping')}/shipments/${orderId}`,
      );
      expect(payments.body.authorizations, orderId).to.have.length(1);
      expect(shipments.body.shipments, orderId).to.have.length(1);
    }
    for (const name of ['coordinator', 'payment', 'inventory', 'shipping'] as const) {
      expect((await request(`${system.url(name)}/health/queue`)).status, name).to.equal(200);
    }
  });
});
