import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { OrderView, TimelineView, request } from '../helpers/api';
import { createNamespace } from '../helpers/namespace';
import { System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

describe('order pipeline (all four services as processes)', function () {
  this.timeout(60_000);
  let system: System;
  let api: string;

  before(async function () {
    system = new System(await createNamespace('e2e', { PAYMENT_MAX_AMOUNT: '10000' }));
    await system.start();
    api = system.url('coordinator');
  });

  after(async () => {
    await system?.stop();
  });

  const newOrderId = () => `e2e-${randomUUID().slice(0, 8)}`;

  const settled = (orderId: string) =>
    waitFor(
      `order ${orderId} to settle`,
      async () => (await request<OrderView>(`${api}/orders/${orderId}`)).body,
      (order) => ['COMPLETED', 'CANCELLED', 'STUCK'].includes(order?.status),
    );

  describe('happy path', () => {
    it('given the seed example, when it is posted, then it completes with the documented timeline and one effect per step', async () => {
      const orderId = newOrderId();
      const bookBefore = (
        await request<{ available: number }>(`${system.url('inventory')}/stock/Book`)
      ).body;

      const accepted = await request(`${api}/orders`, {
        body: { order_id: orderId, user_id: '42', items: ['Book'], total: 20.0 },
      });

      expect(accepted.status).to.equal(202);
      expect(accepted.headers.get('location')).to.equal(`/orders/${orderId}`);
      expect(accepted.body).to.include({ order_id: orderId, status: 'PENDING' });
      const order = await settled(orderId);
      expect(order).to.include({ status: 'COMPLETED', step: null });
      const timeline = (await request<TimelineView>(`${api}/orders/${orderId}/timeline`)).body;
      const types = timeline.events.map((e) => `${e.type}${e.step ? `:${e.step}` : ''}`);
      expect(types).to.deep.equal([
        'SAGA_STARTED',
        'COMMAND_SENT:payment',
        'REPLY_RECEIVED:payment',
        'STEP_SUCCEEDED:payment',
        'COMMAND_SENT:inventory',
        'REPLY_RECEIVED:inventory',
        'STEP_SUCCEEDED:inventory',
        'COMMAND_SENT:shipping',
        'REPLY_RECEIVED:shipping',
        'STEP_SUCCEEDED:shipping',
        'SAGA_COMPLETED',
      ]);
      expect(timeline.events.map((e) => e.seq)).to.deep.equal(types.map((_, i) => i + 1));
      const sagaTimeline = await request<TimelineView>(`${api}/sagas/${order.saga_id}/timeline`);
      expect(sagaTimeline.body.events).to.deep.equal(timeline.events);

      const payments = await request<{ authorizations: Array<{ status: string; amount: number }> }>(
        `${system.url('payment')}/payments/${orderId}`,
      );
      expect(payments.body.authorizations).to.have.length(1);
      expect(payments.body.authorizations[0]).to.include({ status: 'AUTHORIZED', amount: 20 });
      const reservation = await request(`${system.url('inventory')}/reservations/${orderId}`);
      expect(reservation.body).to.include({ status: 'RESERVED' });
      const shipments = await request<{
        shipments: Array<{ status: string; tracking_number: string }>;
      }>(`${system.url('shipping')}/shipments/${orderId}`);
      expect(shipments.body.shipments).to.have.length(1);
      expect(shipments.body.shipments[0]!.tracking_number).to.match(/^TRK[0-9A-F]{12}$/);
      const bookAfter = (
        await request<{ available: number }>(`${system.url('inventory')}/stock/Book`)
      ).body;
      expect(bookBefore.available - bookAfter.available).to.equal(1);
    });

    it('given several orders, when listed, then they come newest first with a working cursor', async () => {
      const ids = [newOrderId(), newOrderId(), newOrderId()];
      for (const orderId of ids) {
        await request(`${api}/orders`, {
          body: { order_id: orderId, user_id: 'u', items: ['Pen'], total: 1 },
        });
      }
      const first = await request<{ orders: OrderView[]; next_cursor: string }>(
        `${api}/orders?limit=2`,
      );
      const second = await request<{ orders: OrderView[] }>(
        `${api}/orders?limit=2&cursor=${first.body.next_cursor}`,
      );
      expect(first.body.orders.map((o) => o.order_id)).to.deep.equal([ids[2], ids[1]]);
      expect(second.body.orders[0]!.order_id).to.equal(ids[0]);
    });
  });

  describe('idempotent submission', () => {
    it('given an accepted order, when the same JSON value is posted again, then it answers 200 with the existing order', async () => {
      const orderId = newOrderId();
      await request(`${api}/orders`, {
        body: { order_id: orderId, user_id: '42', items: ['Book'], total: 20 },
      });

      const again = await request<OrderView>(`${api}/orders`, {
        raw: `{"total":20.0,"items":["Book"],"user_id":"42","order_id":"${orderId}"}`,
      });

      expect(again.status).to.equal(200);
      expect(again.body.order_id).to.equal(orderId);
    });

    it('given an accepted order, when a different body reuses its order_id, then it answers 409', async () => {
      const orderId = newOrderId();
      await request(`${api}/orders`, {
        body: { order_id: orderId, user_id: '42', items: ['Book'], total: 20 },
      });

      const conflict = await request(`${api}/orders`, {
        body: { order_id: orderId, user_id: '42', items: ['Book'], total: 21 },
      });

      expect(conflict.status).to.equal(409);
      expect(conflict.headers.get('content-type')).to.match(/application\/problem\+json/);
    });

    it('given ten concurrent identical posts, when they race, then exactly one is 202 and one saga runs', async () => {
      const orderId = newOrderId();
      const body = { order_id: orderId, user_id: '42', items: ['Book'], total: 20 };

      const answers = await Promise.all(
        Array.from({ length: 10 }, () => request<OrderView>(`${api}/orders`, { body })),
      );

      expect(answers.filter((a) => a.status === 202)).to.have.length(1);
      expect(answers.filter((a) => a.status === 200)).to.have.length(9);
      expect(new Set(answers.map((a) => a.body.saga_id)).size).to.equal(1);
      await settled(orderId);
      const payments = await request<{ authorizations: unknown[] }>(
        `${system.url('payment')}/payments/${orderId}`,
      );
      expect(payments.body.authorizations).to.have.length(1);
    });
  });

  describe('invalid input', () => {
    it('given a body with several problems, when posted, then 400 lists every one and nothing is stored', async () => {
      const answer = await request<{ errors: string[]; status: number }>(`${api}/orders`, {
        body: { order_id: 'has space', items: [], total: -1, colour: 'red' },
      });

      expect(answer.status).to.equal(400);
      expect(answer.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(answer.body.errors.length).to.be.at.least(4);
      expect(answer.body.errors.join(' '))
        .to.match(/user_id/)
        .and.match(/colour/);
      expect((await request(`${api}/orders/has%20space`)).status).to.equal(404);
    });

    it('given a body over 64 KiB, when posted, then 413', async () => {
      const answer = await request(`${api}/orders`, {
        raw: JSON.stringify({ pad: 'x'.repeat(70_000) }),
      });
      expect(answer.status).to.equal(413);
    });

    it('given a body that is not JSON, when posted, then 415 for another media type and 400 for broken JSON', async () => {
      const text = await request(`${api}/orders`, {
        raw: 'order please',
        contentType: 'text/plain',
      });
      const broken = await request(`${api}/orders`, { raw: '{"order_id":' });
      expect(text.status).to.equal(415);
      expect(broken.status).to.equal(400);
    });

    it('given a tampered cursor, when orders are listed, then it is a 400', async () => {
      const forged = Buffer.from(
        JSON.stringify({ at: "1' OR 1=1", sagaId: randomUUID() }),
      ).toString('base64url');
      expect((await request(`${api}/orders?cursor=${forged}`)).status).to.equal(400);
    });

    it('given an unknown order, when read, then 404 problem', async () => {
      const answer = await request(`${api}/orders/nope-${randomUUID()}`);
      expect(answer.status).to.equal(404);
      expect((await request(`${api}/sagas/${randomUUID()}/timeline`)).status).to.equal(404);
    });
  });

  describe('business failures', () => {
    it('given an unknown SKU, when the order runs, then it is cancelled at inventory and the payment is voided', async () => {
      const orderId = newOrderId();
      await request(`${api}/orders`, {
        body: { order_id: orderId, user_id: '42', items: ['Unobtainium'], total: 5 },
      });

      const order = await settled(orderId);

      expect(order.status).to.equal('CANCELLED');
      expect(order.reason).to.include({ step: 'inventory', code: 'UNKNOWN_SKU' });
      const payments = await request<{ authorizations: Array<{ status: string }> }>(
        `${system.url('payment')}/payments/${orderId}`,
      );
      expect(payments.body.authorizations.map((a) => a.status)).to.deep.equal(['VOIDED']);
      const reservation = await request<Record<string, unknown>>(
        `${system.url('inventory')}/reservations/${orderId}`,
      );
      expect(reservation.body).to.deep.include({
        status: 'REJECTED',
        reason: { code: 'UNKNOWN_SKU', message: 'unknown SKU Unobtainium' },
      });
      const timeline = (await request<TimelineView>(`${api}/orders/${orderId}/timeline`)).body;
      const types = timeline.events.map((e) => e.type);
      expect(types).to.include.members([
        'STEP_FAILED',
        'COMPENSATION_STARTED',
        'COMPENSATED',
        'SAGA_CANCELLED',
      ]);
      expect(types.filter((t) => t === 'COMPENSATION_STARTED')).to.have.length(1);
    });

    it("given a total above the provider limit, when the order runs, then it is cancelled at payment and the declined attempt is recorded with the provider's code", async () => {
      const orderId = newOrderId();
      await request(`${api}/orders`, {
        body: { order_id: orderId, user_id: '42', items: ['Laptop'], total: 20_000 },
      });

      const order = await settled(orderId);

      expect(order.status).to.equal('CANCELLED');
      expect(order.reason).to.include({ step: 'payment', code: 'AMOUNT_LIMIT_EXCEEDED' });
      const payments = await request<{
        order_id: string;
        authorizations: Array<Record<string, unknown>>;
      }>(`${system.url('payment')}/payments/${orderId}`);
      expect(payments.status).to.equal(200);
      expect(payments.body.authorizations).to.have.length(1);
      expect(payments.body.authorizations[0]).to.deep.include({
        amount: 20_000,
        status: 'DECLINED',
        reason: {
          code: 'AMOUNT_LIMIT_EXCEEDED',
          message: 'amount 20000 exceeds the limit of 10000',
        },
      });
      expect(payments.body.authorizations[0]!.authorization_id).to.match(/^declined_[0-9a-f]{32}$/);
      expect((await request(`${system.url('inventory')}/reservations/${orderId}`)).status).to.equal(
        404,
      );
    });

    it('given a parcel over the carrier limit, when the order runs, then it is cancelled at shipping and the rejected shipment is recorded without a tracking number', async () => {
      const orderId = newOrderId();
      await request(`${api}/orders`, {
        body: {
          order_id: orderId,
          user_id: '42',
          items: [
            { sku: 'Pen', quantity: 600 },
            { sku: 'Book', quantity: 600 },
          ],
          total: 50,
        },
      });

      const order = await settled(orderId);

      expect(order.status).to.equal('CANCELLED');
      expect(order.reason).to.include({ step: 'shipping', code: 'PARCEL_TOO_LARGE' });
      const shipments = await request<{ shipments: Array<Record<string, unknown>> }>(
        `${system.url('shipping')}/shipments/${orderId}`,
      );
      expect(shipments.status).to.equal(200);
      expect(shipments.body.shipments).to.have.length(1);
      expect(shipments.body.shipments[0]).to.deep.include({
        tracking_number: null,
        status: 'REJECTED',
        reason: { code: 'PARCEL_TOO_LARGE', message: '1200 units exceed 1000' },
      });
      const payments = await request<{ authorizations: Array<{ status: string }> }>(
        `${system.url('payment')}/payments/${orderId}`,
      );
      expect(payments.body.authorizations.map((a) => a.status)).to.deep.equal(['VOIDED']);
      const reservation = await request<{ status: string }>(
        `${system.url('inventory')}/reservations/${orderId}`,
      );
      expect(reservation.body.status).to.equal('RELEASED');
    });
  });
});
