import { expect } from 'chai';
import express from 'express';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sagaCountRoutes } from '../../coordinator/http/saga-counts';
import { sagaDetailRoutes } from '../../coordinator/http/saga-details';
import { OrderIntake } from '../../coordinator/order-intake';
import { SagaRunner } from '../../coordinator/saga-runner';
import { Database } from '../../lib/db';
import { problemHandler } from '../../lib/http/problem';
import { commandIdOf } from '../../sagas/contracts/messages';
import { request } from '../helpers/api';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';

describe('console read endpoints (real PostgreSQL)', function () {
  this.timeout(20_000);
  let db: Database;
  let server: Server;
  let api: string;
  let intake: OrderIntake;
  let runner: SagaRunner;

  before(async () => {
    const { config } = await createNamespace('consolereads');
    db = await migratedDatabase(config, 'orders');
    intake = new OrderIntake(db, () => undefined, { maxRetryAttempts: 2, stepTimeoutMs: 30_000 });
    runner = new SagaRunner(db, () => undefined, 30_000);
    const app = express().use(sagaCountRoutes({ db })).use(sagaDetailRoutes({ db }));
    app.use(problemHandler(() => undefined));
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await db?.destroy();
  });

  const submit = async () =>
    (
      await intake.submit({
        order_id: `cr-${randomUUID().slice(0, 8)}`,
        user_id: 'u-7',
        items: ['Book'],
        total: 12.5,
      })
    ).order;

  it('saga counts, given pending and moved-on sagas, when counted, then every status is listed with its number', async () => {
    const before = await request<{ counts: Record<string, number>; total: number }>(
      `${api}/sagas/counts`,
    );
    const [, moved] = [await submit(), await submit()];
    await runner.handle([
      {
        messageId: randomUUID(),
        sagaId: moved.saga_id,
        event: {
          type: 'payment.authorized',
          data: {
            command_id: commandIdOf(moved.saga_id, 'payment.authorize'),
            authorization_id: 'auth-1',
          },
        },
      },
    ]);

    const after = await request<{ counts: Record<string, number>; total: number }>(
      `${api}/sagas/counts`,
    );

    expect(after.status).to.equal(200);
    expect(Object.keys(after.body.counts)).to.include.members(['PENDING', 'COMPLETED', 'STUCK']);
    expect(after.body.counts.PENDING! - before.body.counts.PENDING!).to.equal(1);
    expect(after.body.counts.PAYMENT_AUTHORIZED! - before.body.counts.PAYMENT_AUTHORIZED!).to.equal(
      1,
    );
    expect(after.body.counts.STUCK).to.equal(0);
    expect(after.body.total - before.body.total).to.equal(2);
  });

  it('saga counts, given an unknown query parameter, when counted, then it is a 400 naming it', async () => {
    const response = await request<{ errors: string[] }>(`${api}/sagas/counts?status=STUCK`);

    expect(response.status).to.equal(400);
    expect(response.body.errors).to.deep.equal(['status: unknown query parameter']);
  });

  it('saga details, given a saga, when read, then it has the version, state, user and age beside the order fields', async () => {
    const order = await submit();

    const response = await request<Record<string, unknown>>(`${api}/sagas/${order.saga_id}`);

    expect(response.status).to.equal(200);
    expect(response.body).to.include({
      saga_id: order.saga_id,
      order_id: order.order_id,
      user_id: 'u-7',
      status: 'PENDING',
      state: 'authorizingPayment',
      step: 'payment',
      version: 1,
      reason: null,
      stuck_since: null,
    });
    expect(response.body.last_seq).to.be.greaterThan(0);
    expect(response.body.age_seconds).to.be.within(0, 5);
    expect(response.body.deadline_at).to.be.a('string');
  });

  it('saga details, given an unknown saga id or one that is not a uuid, when read, then it is a 404', async () => {
    expect((await request(`${api}/sagas/${randomUUID()}`)).status).to.equal(404);
    expect((await request(`${api}/sagas/not-a-saga`)).status).to.equal(404);
  });
});
