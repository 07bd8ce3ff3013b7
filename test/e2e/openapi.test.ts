import SwaggerParser from '@apidevtools/swagger-parser';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { deadLetterQueueOf, queues } from '../../lib/messaging/topology';
import { JsonResponse, OrderView, request } from '../helpers/api';
import { TEST_ADMIN_TOKEN, createNamespace } from '../helpers/namespace';
import { OpenApiConformance, OpenApiDocument } from '../helpers/openapi-conformance';
import { ServiceName, System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const MAX_RETRY_ATTEMPTS = 1;
const services: ServiceName[] = ['coordinator', 'payment', 'inventory', 'shipping'];
type RequestInit = Parameters<typeof request>[1];

describe('OpenAPI documents (all four services as processes)', function () {
  this.timeout(180_000);
  let system: System;
  const documents = new Map<ServiceName, OpenApiDocument>();
  const conformance = new Map<ServiceName, OpenApiConformance>();

  before(async () => {
    system = new System(
      await createNamespace('openapi', {
        MAX_RETRY_ATTEMPTS: String(MAX_RETRY_ATTEMPTS),
        RETRY_DELAY_SECONDS: '0.1',
      }),
    );
    // Four processes starting at once on a busy machine: more than the usual 30 s to be ready.
    for (const service of services) system.launch(service);
    await Promise.all(services.map((service) => system.waitReady(service, 90_000)));
    for (const service of services) {
      const { status, body } = await request<OpenApiDocument>(
        `${system.url(service)}/openapi.json`,
      );
      expect(status, `${service} /openapi.json`).to.equal(200);
      documents.set(service, body);
      conformance.set(service, new OpenApiConformance(service, body));
    }
  });

  after(async () => {
    await system?.stop();
  });

  /** A real request whose answer must match the service's document. */
  const call = async <T = Record<string, unknown>>(
    service: ServiceName,
    path: string,
    init: RequestInit = {},
  ): Promise<JsonResponse<T>> => {
    const response = await request<T>(`${system.url(service)}${path}`, init);
    const method = init.method ?? (init.body !== undefined || init.raw ? 'POST' : 'GET');
    conformance.get(service)!.check(method, path, response);
    return response;
  };
  const admin = <T = Record<string, unknown>>(path: string, init: RequestInit = {}) =>
    call<T>('coordinator', path, { ...init, token: TEST_ADMIN_TOKEN });
  const newOrder = (extra: Record<string, unknown> = {}) => ({
    order_id: `oa-${randomUUID().slice(0, 8)}`,
    user_id: 'u-1',
    items: ['Book', { sku: 'Pen', quantity: 2 }],
    total: 19.99,
    ...extra,
  });
  const untilStatus = (orderId: string, status: string) =>
    waitFor(
      `order ${orderId} to be ${status}`,
      async () => (await request<OrderView>(`${system.url('coordinator')}/orders/${orderId}`)).body,
      (o) => o.status === status,
      { timeoutMs: 20_000 },
    );
  /** STUCK at payment: the error lasts one delivery more than the retries allow. */
  const stuckOrder = async () => {
    const body = newOrder({
      simulate: { step: 'payment', mode: 'error', times: MAX_RETRY_ATTEMPTS + 1 },
    });
    await call('coordinator', '/orders', { body });
    return untilStatus(body.order_id, 'STUCK');
  };

  it('each service serves a valid OpenAPI 3.1 document', async () => {
    for (const [service, document] of documents) {
      expect(document.openapi, service).to.equal('3.1.0');
      // The parser resolves and rewrites in place: it gets a copy.
      await SwaggerParser.validate(structuredClone(document) as never);
    }
  });

  it('the wait API and readiness are described', () => {
    const paths = documents.get('coordinator')!.paths as Record<string, Record<string, object>>;
    const text = JSON.stringify(paths);
    expect(paths['/orders/{order_id}']!.get, 'wait').to.have.nested.property('parameters');
    expect(text).to.include('"name":"Prefer"').and.include('Preference-Applied');
    expect(JSON.stringify(paths['/orders/{order_id}/timeline'])).to.include('"name":"after"');
    for (const document of documents.values()) {
      expect(document.paths).to.have.property('/health/ready');
    }
  });

  it('the order API answers as documented: submit, repeat, conflict, wait, read, list, timelines', async () => {
    const order = newOrder();
    const accepted = await call<OrderView>('coordinator', '/orders', { body: order });
    expect(accepted.status).to.equal(202);
    const settled = await call<OrderView>('coordinator', `/orders/${order.order_id}?wait=20`);
    expect(settled.body.status).to.equal('COMPLETED');
    expect((await call('coordinator', '/orders', { body: order })).status).to.equal(200);
    const conflict = await call('coordinator', '/orders', { body: { ...order, total: 1 } });
    expect(conflict.status).to.equal(409);
    const invalid = await call('coordinator', '/orders', { body: { ...order, total: -1, x: 1 } });
    expect(invalid.status).to.equal(400);
    const notJson = await call('coordinator', '/orders', { raw: 'a', contentType: 'text/plain' });
    expect(notJson.status).to.equal(415);
    const huge = await call('coordinator', '/orders', { raw: `"${'x'.repeat(70_000)}"` });
    expect(huge.status).to.equal(413);

    const waited = await request(`${system.url('coordinator')}/orders`, { body: newOrder() });
    expect(waited.status).to.equal(202);
    const preferred = newOrder();
    const held = await fetch(`${system.url('coordinator')}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=20' },
      body: JSON.stringify(preferred),
    });
    const heldResponse = { status: held.status, headers: held.headers, body: await held.json() };
    conformance.get('coordinator')!.check('POST', '/orders', heldResponse);
    expect(held.status).to.equal(201);

    expect((await call('coordinator', '/orders?limit=2')).status).to.equal(200);
    expect((await call('coordinator', '/orders?colour=red')).status).to.equal(400);
    expect((await call('coordinator', '/orders/no-such-order')).status).to.equal(404);
    const sagaId = accepted.body.saga_id;
    const timeline = `/orders/${order.order_id}/timeline`;
    expect((await call('coordinator', timeline)).status).to.equal(200);
    expect((await call('coordinator', `${timeline}?after=1&wait=0.2`)).status).to.equal(200);
    expect((await call('coordinator', `/sagas/${sagaId}/timeline`)).status).to.equal(200);
    expect((await call('coordinator', `/sagas/${randomUUID()}/timeline`)).status).to.equal(404);
    expect((await call('coordinator', '/sagas/counts')).status).to.equal(200);
    expect((await call('coordinator', `/sagas/${sagaId}`)).status).to.equal(200);
    expect((await call('coordinator', `/sagas/${randomUUID()}`)).status).to.equal(404);

    const worker = order.order_id;
    expect((await call('payment', `/payments/${worker}`)).status).to.equal(200);
    expect((await call('payment', '/payments/never-seen')).status).to.equal(404);
    expect((await call('inventory', `/reservations/${worker}`)).status).to.equal(200);
    expect((await call('inventory', '/reservations/never-seen')).status).to.equal(404);
    expect((await call('shipping', `/shipments/${worker}`)).status).to.equal(200);
    expect((await call('shipping', '/shipments/never-seen')).status).to.equal(404);
  });

  it('the inventory stock API answers as documented', async () => {
    expect((await call('inventory', '/stock')).status).to.equal(200);
    expect((await call('inventory', '/stock/Book')).status).to.equal(200);
    expect((await call('inventory', '/stock/NoSuchSku')).status).to.equal(404);
    const put = { method: 'PUT', body: { available: 7 } };
    expect((await call('inventory', '/stock/OpenApiSku', put)).status).to.equal(200);
    const bad = { method: 'PUT', body: { available: -1 } };
    expect((await call('inventory', '/stock/OpenApiSku', bad)).status).to.equal(400);
  });

  it('the admin API answers as documented: sagas, dead letters, fault rules', async () => {
    const noToken = await call('coordinator', '/admin/sagas');
    expect(noToken.status).to.equal(401);
    const wrong = await call('coordinator', '/admin/sagas', { token: 'wrong' });
    expect(wrong.status).to.equal(403);

    const stuck = await stuckOrder();
    expect((await admin('/admin/sagas?status=STUCK')).status).to.equal(200);
    const dry = await admin(`/admin/sagas/${stuck.saga_id}/replay?dry_run=true`, {
      method: 'POST',
    });
    expect(dry.status).to.equal(200);
    const bulk = await admin('/admin/sagas/replay?dry_run=true', { method: 'POST', body: {} });
    expect(bulk.status).to.equal(200);

    const dlq = deadLetterQueueOf(queues.payment);
    interface Listing {
      queues: Array<{ queue: string; messages: Array<{ message_id: string }> }>;
    }
    const listing = await waitFor(
      'the dead letter of the stuck order',
      () => admin<Listing>(`/admin/dlq?queue=${dlq}`),
      (r) => r.body.queues.some((q) => q.messages.length > 0),
    );
    const ids = listing.body.queues.flatMap((q) => q.messages.map((m) => m.message_id));
    const replayed = await admin<{ replayed: number; resumed_sagas: string[] }>(
      `/admin/dlq/${dlq}/replay`,
      { body: { message_ids: ids } },
    );
    expect(replayed.status).to.equal(200);
    // What the saga does next is the admin suite's business; this one checks the answer.
    expect(replayed.body.replayed).to.equal(ids.length);
    expect(replayed.body.resumed_sagas).to.include(stuck.saga_id);
    expect((await admin('/admin/dlq/no.such.dlq/replay', { method: 'POST' })).status).to.equal(404);
    expect((await admin(`/admin/dlq/${dlq}`, { method: 'DELETE' })).status).to.equal(200);

    const other = await stuckOrder();
    const cancel = `/admin/sagas/${other.saga_id}/cancel`;
    expect((await admin(cancel, { method: 'POST', body: { reason: 'test' } })).status).to.equal(
      200,
    );
    await untilStatus(other.order_id, 'CANCELLED');
    expect((await admin(cancel, { method: 'POST' })).status).to.equal(409);
    const unknown = `/admin/sagas/${randomUUID()}/replay`;
    expect((await admin(unknown, { method: 'POST' })).status).to.equal(404);

    const rule = await admin<{ id: string }>('/admin/faults', {
      body: { target: 'shipping', mode: 'latency', probability: 0, latency_ms: 1 },
    });
    expect(rule.status).to.equal(201);
    expect((await admin('/admin/faults')).status).to.equal(200);
    const removed = await admin(`/admin/faults?id=${rule.body.id}`, { method: 'DELETE' });
    expect(removed.status).to.equal(200);
  });

  it('health, metrics and the reference answer as documented on every service', async () => {
    for (const service of services) {
      for (const path of ['/health', '/health/db', '/health/queue', '/metrics', '/openapi.json']) {
        expect((await call(service, path)).status, `${service} ${path}`).to.equal(200);
      }
      const ready = await request(`${system.url(service)}/health/ready`);
      expect(ready.status, `${service} /health/ready`).to.equal(200);
      conformance.get(service)!.check('GET', '/health/ready', ready);
      const docs = await call<string>(service, '/docs');
      expect(docs.status).to.equal(200);
      await expectSelfContained(system.url(service), docs.body);
    }
  });

  it('every documented operation was called above', () => {
    for (const [service, checker] of conformance) {
      expect(checker.unexercised(), service).to.deep.equal([]);
    }
  });
});

/** The reference page loads only assets its own service serves: it works offline. */
async function expectSelfContained(base: string, html: string): Promise<void> {
  const assets = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]!);
  expect(assets, 'assets of /docs').to.include('./swagger-ui-bundle.js');
  for (const asset of assets) {
    expect(asset, 'an asset of /docs').not.to.match(/^(https?:)?\/\//);
    const response = await fetch(new URL(asset, `${base}/docs/`));
    expect(response.status, asset).to.equal(200);
    await response.arrayBuffer();
  }
}
