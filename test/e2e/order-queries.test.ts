import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { OrderView, request } from '../helpers/api';
import { TEST_ADMIN_TOKEN, createNamespace } from '../helpers/namespace';
import { ServiceName, System, serviceEntryPoints } from '../helpers/system';
import { waitFor } from '../helpers/wait';

interface Listed extends OrderView {
  user_id: string;
  total: number;
  created_at: string;
}
interface Listing {
  orders: Listed[];
  next_cursor: string | null;
}
interface Problem {
  status: number;
  errors?: string[];
}

describe('order listing, money and unknown routes (all four services as processes)', function () {
  this.timeout(60_000);
  let system: System;
  let api: string;
  const run = randomUUID().slice(0, 6);
  const alice = `alice-${run}`;
  const bob = `bob-${run}`;
  const payer = `payer-${run}`;
  let aliceOrders: string[];
  let bobOrder: string;

  const submit = async (userId: string, total: number | string = 20) => {
    const orderId = `q-${randomUUID().slice(0, 8)}`;
    const answer = await request(`${api}/orders`, {
      raw: `{"order_id":"${orderId}","user_id":"${userId}","items":["Pen"],"total":${total}}`,
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    return orderId;
  };
  const list = (query: string) => request<Listing & Problem>(`${api}/orders?${query}`);
  const settled = (orderId: string) =>
    waitFor(
      `order ${orderId} to settle`,
      async () => (await request<OrderView>(`${api}/orders/${orderId}`)).body,
      (order) => ['COMPLETED', 'CANCELLED', 'STUCK'].includes(order?.status),
    );

  before(async () => {
    system = new System(await createNamespace('queries'));
    await system.start();
    api = system.url('coordinator');
    aliceOrders = [await submit(alice), await submit(alice)];
    bobOrder = await submit(bob);
  });

  after(async () => {
    await system?.stop();
  });

  describe('filters', () => {
    it('order listing — given orders of two users, when listed with user_id, then only that user’s orders come, newest first, each with its user_id', async () => {
      const answer = await list(`user_id=${alice}`);

      expect(answer.status).to.equal(200);
      expect(answer.body.orders.map((o) => o.order_id)).to.deep.equal([...aliceOrders].reverse());
      expect(answer.body.orders.every((o) => o.user_id === alice)).to.equal(true);
    });

    it('order listing — given a user with no orders, when listed with user_id, then the list is empty', async () => {
      const answer = await list(`user_id=nobody-${run}`);

      expect(answer.status).to.equal(200);
      expect(answer.body).to.deep.equal({ orders: [], next_cursor: null });
    });

    it('order listing — given a settled order, when listed by status and by step, then the filters apply together with user_id', async () => {
      await settled(bobOrder);

      const completed = await list(`user_id=${bob}&status=COMPLETED`);
      const atPayment = await list(`user_id=${bob}&step=payment`);

      expect(completed.body.orders.map((o) => o.order_id)).to.deep.equal([bobOrder]);
      expect(atPayment.body.orders).to.deep.equal([]);
    });

    it('order listing — given created_after and created_before, when listed, then only orders created strictly between them come', async () => {
      const [first, second] = (await list(`user_id=${alice}`)).body.orders.reverse();

      // created_at carries microseconds; its ISO text keeps milliseconds, so step past it.
      const justAfterFirst = new Date(Date.parse(first!.created_at) + 1).toISOString();
      const after = await list(`user_id=${alice}&created_after=${justAfterFirst}`);
      const before = await list(
        `user_id=${alice}&created_before=${encodeURIComponent(second!.created_at)}`,
      );

      expect(after.body.orders.map((o) => o.order_id)).to.deep.equal([second!.order_id]);
      expect(before.body.orders.map((o) => o.order_id)).to.deep.equal([first!.order_id]);
    });

    it('order listing — given a page size of one, when the cursor is followed with the same filter, then the pages hold each of the user’s orders once', async () => {
      const first = await list(`user_id=${alice}&limit=1`);
      const second = await list(`user_id=${alice}&limit=1&cursor=${first.body.next_cursor}`);

      expect([...first.body.orders, ...second.body.orders].map((o) => o.order_id)).to.deep.equal(
        [...aliceOrders].reverse(),
      );
      expect(second.body.next_cursor).to.equal(null);
    });
  });

  describe('query validation', () => {
    const refused: Array<[string, string, string]> = [
      ['an unknown parameter', `/orders?colour=red`, "unknown parameter 'colour'"],
      ['a repeated user_id', `/orders?user_id=a&user_id=b`, 'user_id'],
      ['a bracketed parameter', `/orders?status[]=STUCK`, 'status[]'],
      ['an unknown status', `/orders?status=LOST`, 'status'],
      ['an unknown step', `/orders?step=billing`, 'step'],
      ['a created_after that is no date-time', `/orders?created_after=yesterday`, 'created_after'],
      [
        'February 30 as created_before',
        `/orders?created_before=2026-02-30T00:00:00Z`,
        'created_before',
      ],
      [
        'an instant before year 1',
        `/orders?created_after=0000-01-01T00:00:00%2B01:00`,
        'created_after',
      ],
      ['a hexadecimal limit', `/orders?limit=0x10`, 'limit'],
      ['a limit above 500', `/orders?limit=501`, 'limit'],
      ['a query on an order', `/orders/123?verbose=1`, "unknown parameter 'verbose'"],
      ['a query on a timeline', `/orders/123/timeline?from=1`, "unknown parameter 'from'"],
    ];
    for (const [what, path, names] of refused) {
      it(`order API — given ${what}, when requested, then it is a 400 naming it`, async () => {
        const answer = await request<Problem>(`${api}${path}`);

        expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
        expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(answer.body.errors!.join(' ')).to.include(names);
      });
    }

    it('admin API — given an unknown parameter on a stuck-saga listing or the DLQ, when requested, then it is a 400', async () => {
      const sagas = await request<Problem>(`${api}/admin/sagas?colour=red`, {
        token: TEST_ADMIN_TOKEN,
      });
      const dlq = await request<Problem>(`${api}/admin/dlq?colour=red`, {
        token: TEST_ADMIN_TOKEN,
      });

      expect([sagas.status, dlq.status]).to.deep.equal([400, 400]);
    });
  });

  describe('money', () => {
    it('order money — given totals written 19.99, 20.0 and 0.1, when posted and read, then each reads back as the exact same number, and so does the payment', async () => {
      const cents = await submit(payer, '19.99');
      const whole = await submit(payer, '20.0');
      const dime = await submit(payer, '0.1');

      const totals = await Promise.all(
        [cents, whole, dime].map(async (id) => (await request<Listed>(`${api}/orders/${id}`)).body),
      );
      expect(totals.map((o) => o.total)).to.deep.equal([19.99, 20, 0.1]);
      await settled(cents);
      const payments = await request<{ authorizations: Array<{ amount: number }> }>(
        `${system.url('payment')}/payments/${cents}`,
      );
      expect(payments.body.authorizations.map((a) => a.amount)).to.deep.equal([19.99]);
    });

    const badTotals: Array<[string, string]> = [
      ['three decimals', '19.999'],
      ['1e-7', '1e-7'],
      ['a negative amount', '-1'],
      ['10^12', '1e12'],
    ];
    for (const [what, total] of badTotals) {
      it(`order money — given a total of ${what}, when posted, then it is a 400 naming total and nothing is stored`, async () => {
        const orderId = `q-${randomUUID().slice(0, 8)}`;

        const answer = await request<Problem>(`${api}/orders`, {
          raw: `{"order_id":"${orderId}","user_id":"u","items":["Pen"],"total":${total}}`,
        });

        expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
        expect(answer.body.errors!.join(' ')).to.include('total');
        expect((await request(`${api}/orders/${orderId}`)).status).to.equal(404);
      });
    }

    it('order money — given the largest total, when posted, then it is accepted and reads back exactly', async () => {
      const orderId = await submit(payer, '999999999999.99');

      const order = await request<Listed>(`${api}/orders/${orderId}`);

      expect(order.body.total).to.equal(999_999_999_999.99);
    });
  });

  describe('unknown routes', () => {
    for (const service of Object.keys(serviceEntryPoints) as ServiceName[]) {
      it(`${service} — given a path no route serves, when requested, then it is a problem+json 404`, async () => {
        const answer = await request<Problem>(`${system.url(service)}/docs-${run}`);

        expect(answer.status).to.equal(404);
        expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(answer.body.status).to.equal(404);
      });
    }
  });
});
