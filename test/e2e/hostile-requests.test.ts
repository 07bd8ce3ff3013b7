import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { OrderView, request } from '../helpers/api';
import { TEST_ADMIN_TOKEN, createNamespace } from '../helpers/namespace';
import { RawRequest, RawResponse, rawRequest } from '../helpers/raw-http';
import { ServiceName, System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const MAX_RETRY_ATTEMPTS = 1;
const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const json = { 'content-type': 'application/json' };

const cursor = (at: string) =>
  Buffer.from(JSON.stringify({ at, sagaId: randomUUID() })).toString('base64url');
const orderBody = (total: string) =>
  `{"order_id":"h-${randomUUID().slice(0, 8)}","user_id":"u","items":["Pen"],"total":${total}}`;
const garbage = Buffer.from('this is not a compressed stream at all');

interface Case {
  name: string;
  request: (ctx: { stuckSagaId: string }) => RawRequest;
  status: number;
  /** A word the answer's errors or detail must contain (the field it names). */
  names?: string;
}

/**
 * Every hostile request reported to answer 500, each with the 4xx it must get instead. Path ids
 * that can never exist are 404s; anything else the client sent wrong is a 400, or 415 for a
 * body in a media type the endpoint does not take.
 */
const cases: Case[] = [
  {
    name: 'an order with "total": 1e309 (Infinity once parsed)',
    request: () => ({ method: 'POST', path: '/orders', headers: json, body: orderBody('1e309') }),
    status: 400,
    names: 'total',
  },
  {
    name: 'an order with "total": 1e999999',
    request: () => ({
      method: 'POST',
      path: '/orders',
      headers: json,
      body: orderBody('1e999999'),
    }),
    status: 400,
    names: 'total',
  },
  {
    name: 'an order with a total of 1 followed by 400 zeros',
    request: () => ({
      method: 'POST',
      path: '/orders',
      headers: json,
      body: orderBody(`1${'0'.repeat(400)}`),
    }),
    status: 400,
    names: 'total',
  },
  { name: 'GET /orders/%ZZ', request: () => ({ method: 'GET', path: '/orders/%ZZ' }), status: 400 },
  {
    name: 'GET /orders/a%00b',
    request: () => ({ method: 'GET', path: '/orders/a%00b' }),
    status: 404,
  },
  {
    name: 'GET /orders/%ZZ/timeline',
    request: () => ({ method: 'GET', path: '/orders/%ZZ/timeline' }),
    status: 400,
  },
  {
    name: 'GET /orders/a%00b/timeline',
    request: () => ({ method: 'GET', path: '/orders/a%00b/timeline' }),
    status: 404,
  },
  {
    name: 'GET /sagas/%ZZ/timeline',
    request: () => ({ method: 'GET', path: '/sagas/%ZZ/timeline' }),
    status: 400,
  },
  {
    name: 'GET /sagas/a%00b/timeline',
    request: () => ({ method: 'GET', path: '/sagas/a%00b/timeline' }),
    status: 404,
  },
  {
    name: 'POST /admin/sagas/%ZZ/replay',
    request: () => ({ method: 'POST', path: '/admin/sagas/%ZZ/replay', headers: auth }),
    status: 400,
  },
  {
    name: 'POST /admin/sagas/%ZZ/cancel',
    request: () => ({ method: 'POST', path: '/admin/sagas/%ZZ/cancel', headers: auth }),
    status: 400,
  },
  {
    name: 'POST /admin/sagas/a%00b/cancel',
    request: () => ({ method: 'POST', path: '/admin/sagas/a%00b/cancel', headers: auth }),
    status: 404,
  },
  {
    name: 'DELETE /admin/dlq/%ZZ',
    request: () => ({ method: 'DELETE', path: '/admin/dlq/%ZZ', headers: auth }),
    status: 400,
  },
  {
    name: 'POST /admin/dlq/%ZZ/replay',
    request: () => ({ method: 'POST', path: '/admin/dlq/%ZZ/replay', headers: auth }),
    status: 400,
  },
  {
    name: 'an order cursor in month 13',
    request: () => ({ method: 'GET', path: `/orders?cursor=${cursor('2026-13-01 10:00:00+00')}` }),
    status: 400,
    names: 'cursor',
  },
  {
    name: 'an order cursor on February 30',
    request: () => ({ method: 'GET', path: `/orders?cursor=${cursor('2026-02-30 10:00:00+00')}` }),
    status: 400,
    names: 'cursor',
  },
  {
    name: 'an order cursor at offset +99:99',
    request: () => ({
      method: 'GET',
      path: `/orders?cursor=${cursor('2026-01-01 10:00:00+99:99')}`,
    }),
    status: 400,
    names: 'cursor',
  },
  {
    name: 'a stuck-saga cursor in month 13',
    request: () => ({
      method: 'GET',
      path: `/admin/sagas?cursor=${cursor('2026-13-01 10:00:00+00')}`,
      headers: auth,
    }),
    status: 400,
    names: 'cursor',
  },
  {
    name: 'a stuck-saga cursor at offset +99:99',
    request: () => ({
      method: 'GET',
      path: `/admin/sagas?cursor=${cursor('2026-01-01 10:00:00+99:99')}`,
      headers: auth,
    }),
    status: 400,
    names: 'cursor',
  },
  {
    name: 'GET /admin/sagas?min_age_seconds=1e20',
    request: () => ({ method: 'GET', path: '/admin/sagas?min_age_seconds=1e20', headers: auth }),
    status: 400,
    names: 'min_age_seconds',
  },
  {
    name: 'a bulk replay with "min_age_seconds": 1e20',
    request: () => ({
      method: 'POST',
      path: '/admin/sagas/replay?dry_run=true',
      headers: { ...auth, ...json },
      body: '{"min_age_seconds":1e20}',
    }),
    status: 400,
    names: 'min_age_seconds',
  },
  {
    name: 'GET /admin/sagas?code=a%00b',
    request: () => ({ method: 'GET', path: '/admin/sagas?code=a%00b', headers: auth }),
    status: 400,
    names: 'code',
  },
  {
    name: 'a bulk replay whose code holds a NUL',
    request: () => ({
      method: 'POST',
      path: '/admin/sagas/replay',
      headers: { ...auth, ...json },
      body: '{"code":"a\\u0000b"}',
    }),
    status: 400,
    names: 'code',
  },
  {
    name: 'a replay of a stuck saga whose actor holds a NUL',
    request: ({ stuckSagaId }) => ({
      method: 'POST',
      path: `/admin/sagas/${stuckSagaId}/replay`,
      headers: { ...auth, ...json },
      body: '{"actor":"a\\u0000b"}',
    }),
    status: 400,
    names: 'actor',
  },
  {
    name: 'a cancel of a stuck saga whose reason holds a NUL',
    request: ({ stuckSagaId }) => ({
      method: 'POST',
      path: `/admin/sagas/${stuckSagaId}/cancel`,
      headers: { ...auth, ...json },
      body: '{"reason":"a\\u0000b"}',
    }),
    status: 400,
    names: 'reason',
  },
  ...(['gzip', 'deflate', 'br'] as const).map((encoding): Case => ({
    name: `an order with Content-Encoding: ${encoding} and a garbage body`,
    request: () => ({
      method: 'POST',
      path: '/orders',
      headers: { ...json, 'content-encoding': encoding },
      body: garbage,
    }),
    status: 400,
  })),
  {
    name: 'an admin action with Content-Encoding: gzip and a garbage body',
    request: () => ({
      method: 'POST',
      path: '/admin/sagas/replay?dry_run=true',
      headers: { ...auth, ...json, 'content-encoding': 'gzip' },
      body: garbage,
    }),
    status: 400,
  },
  {
    name: 'a dry-run bulk replay with a text/plain body',
    request: () => ({
      method: 'POST',
      path: '/admin/sagas/replay?dry_run=true',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'step=payment',
    }),
    status: 415,
  },
  {
    name: 'a cancel of a stuck saga with a body and no content type',
    request: ({ stuckSagaId }) => ({
      method: 'POST',
      path: `/admin/sagas/${stuckSagaId}/cancel`,
      headers: auth,
      body: 'please',
    }),
    status: 415,
  },
];

describe('hostile requests at the HTTP edge (all four services as processes)', function () {
  this.timeout(60_000);
  let system: System;
  let api: string;
  let stuckSagaId: string;
  const send = (spec: RawRequest): Promise<RawResponse> => rawRequest(api, spec);
  const order = async (orderId: string) =>
    (await request<OrderView>(`${api}/orders/${orderId}`)).body;

  before(async () => {
    system = new System(
      await createNamespace('hostile', {
        MAX_RETRY_ATTEMPTS: String(MAX_RETRY_ATTEMPTS),
        RETRY_DELAY_SECONDS: '0.1',
      }),
    );
    await system.start();
    api = system.url('coordinator');
    // A STUCK saga: the admin actions below would write to its timeline if they got through.
    const orderId = `h-stuck-${randomUUID().slice(0, 8)}`;
    await request(`${api}/orders`, {
      body: {
        order_id: orderId,
        user_id: 'u',
        items: ['Pen'],
        total: 2,
        simulate: { step: 'payment', mode: 'error', times: MAX_RETRY_ATTEMPTS + 1 },
      },
    });
    const stuck = await waitFor(
      `order ${orderId} to be STUCK`,
      () => order(orderId),
      (o) => o?.status === 'STUCK',
      { timeoutMs: 15_000 },
    );
    stuckSagaId = stuck.saga_id;
  });

  after(async () => {
    await system?.stop();
  });

  for (const c of cases) {
    it(`hostile request — given ${c.name}, when sent, then it is a ${c.status} problem`, async () => {
      const answer = await send(c.request({ stuckSagaId }));

      expect(answer.status, answer.text).to.equal(c.status);
      expect(answer.contentType).to.match(/^application\/problem\+json/);
      expect(answer.json).to.include({ status: c.status });
      if (c.names) expect(answer.text).to.include(c.names);
    });
  }

  const workerPaths: Array<[ServiceName, string, number]> = [
    ['payment', '/payments/a%00b', 404],
    ['payment', '/payments/%ZZ', 400],
    ['inventory', '/stock/a%00b', 404],
    ['inventory', '/reservations/a%00b', 404],
    ['inventory', '/stock/%ZZ', 400],
    ['shipping', '/shipments/a%00b', 404],
    ['shipping', '/shipments/%ZZ', 400],
  ];
  for (const [service, path, status] of workerPaths) {
    it(`hostile request — given GET ${path} on the ${service} worker, when sent, then it is a ${status} problem`, async () => {
      const answer = await rawRequest(system.url(service), { method: 'GET', path });

      expect(answer.status, answer.text).to.equal(status);
      expect(answer.contentType).to.match(/^application\/problem\+json/);
    });
  }

  it('hostile request — given the admin actions above, when they were refused, then the stuck saga is untouched', async () => {
    const events = (
      await request<{ events: Array<{ type: string }> }>(`${api}/sagas/${stuckSagaId}/timeline`)
    ).body.events;

    expect((await request<OrderView>(`${api}/sagas/${stuckSagaId}/timeline`)).body.status).to.equal(
      'STUCK',
    );
    expect(events.map((e) => e.type)).to.not.include.members(['ADMIN_REPLAY', 'ADMIN_CANCEL']);
  });

  it('hostile request — given DELETE /admin/faults with a repeated id, when sent, then it is a 400 and no rule is removed', async () => {
    const rule = await request<{ id: string }>(`${api}/admin/faults`, {
      body: { target: 'shipping', mode: 'latency', probability: 0, latency_ms: 1 },
      token: TEST_ADMIN_TOKEN,
    });
    expect(rule.status).to.equal(201);

    const repeated = await send({
      method: 'DELETE',
      path: `/admin/faults?id=${rule.body.id}&id=${randomUUID()}`,
      headers: auth,
    });
    const bracketed = await send({
      method: 'DELETE',
      path: `/admin/faults?id[]=${rule.body.id}`,
      headers: auth,
    });

    expect(repeated.status, repeated.text).to.equal(400);
    expect(bracketed.status, bracketed.text).to.equal(400);
    expect(repeated.contentType).to.match(/^application\/problem\+json/);
    const rules = await request<{ rules: Array<{ id: string }> }>(`${api}/admin/faults`, {
      token: TEST_ADMIN_TOKEN,
    });
    expect(rules.body.rules.map((r) => r.id)).to.include(rule.body.id);
    await send({ method: 'DELETE', path: `/admin/faults?id=${rule.body.id}`, headers: auth });
  });

  it('hostile request — given an empty body, when an admin dry run is posted, then it is still allowed', async () => {
    const answer = await send({
      method: 'POST',
      path: '/admin/sagas/replay?dry_run=true',
      headers: auth,
    });

    expect(answer.status, answer.text).to.equal(200);
    expect(answer.json).to.include({ dry_run: true });
  });

  it('hostile request — given 30 valid orders and one with "total": 1e309 sent at the same moment, when they are answered, then all 30 are accepted and stored and only the bad one is a 400', async () => {
    const bodies = Array.from({ length: 30 }, () => orderBody('20.0'));

    const [bad, ...good] = await Promise.all(
      [orderBody('1e309'), ...bodies].map((body) =>
        send({ method: 'POST', path: '/orders', headers: json, body }),
      ),
    );

    expect(bad!.status, bad!.text).to.equal(400);
    expect(good.map((a) => a.status)).to.deep.equal(bodies.map(() => 202));
    const stored = await Promise.all(
      bodies.map(async (body) => {
        const { order_id } = JSON.parse(body) as { order_id: string };
        return (await request(`${api}/orders/${order_id}`)).status;
      }),
    );
    expect(stored).to.deep.equal(bodies.map(() => 200));
  });
});
