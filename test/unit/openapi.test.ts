import SwaggerParser from '@apidevtools/swagger-parser';
import { expect } from 'chai';
import { coordinatorDocument } from '../../coordinator/http/openapi';
import { orderRequestSchema, timelineQuerySchema } from '../../sagas/contracts/http/orders';
import { orderViewSchema } from '../../sagas/contracts/http/order-responses';
import { inventoryApi } from '../../workers/inventory/routes';
import { paymentApi } from '../../workers/payment/routes';
import { workerDocument } from '../../workers/runtime/openapi';
import { shippingApi } from '../../workers/shipping/routes';
import { OpenApiConformance, OpenApiDocument } from '../helpers/openapi-conformance';

type Paths = Record<string, Record<string, Record<string, unknown>>>;

const documents = {
  coordinator: coordinatorDocument() as OpenApiDocument,
  payment: workerDocument(paymentApi) as OpenApiDocument,
  inventory: workerDocument(inventoryApi) as OpenApiDocument,
  shipping: workerDocument(shippingApi) as OpenApiDocument,
};
const paths = (name: keyof typeof documents) => documents[name].paths as unknown as Paths;

const json = (status: number, body: unknown, type = 'application/json') => ({
  status,
  headers: new Headers({ 'content-type': `${type}; charset=utf-8` }),
  body,
});

const order = {
  order_id: '123',
  saga_id: '3b241101-e2bb-4255-8caf-4136c566a962',
  user_id: '42',
  status: 'COMPLETED',
  step: null,
  items: ['Book'],
  total: 19.99,
  created_at: '2026-11-24T09:00:00.000Z',
  updated_at: '2026-11-24T09:00:01.000Z',
};

describe('OpenAPI documents', () => {
  for (const [name, document] of Object.entries(documents)) {
    it(`${name} — when validated as OpenAPI 3.1, then it is valid`, async () => {
      await SwaggerParser.validate(structuredClone(document) as never);
    });
  }

  it('coordinator — given the order routes, then their schemas are the very objects ajv enforces', () => {
    const submit = paths('coordinator')['/orders']!.post!;
    const body = submit.requestBody as { content: Record<string, { schema: unknown }> };
    expect(body.content['application/json']!.schema).to.equal(orderRequestSchema);
    const timeline = paths('coordinator')['/orders/{order_id}/timeline']!.get!;
    const after = (timeline.parameters as Array<{ name: string; schema: unknown }>).find(
      (p) => p.name === 'after',
    );
    expect(after?.schema).to.equal(timelineQuerySchema.properties.after);
  });

  it('coordinator — given POST /orders, then the example of the order body is the original design one', () => {
    const body = paths('coordinator')['/orders']!.post!.requestBody as {
      content: Record<string, { example: unknown }>;
    };
    expect(body.content['application/json']!.example).to.deep.equal({
      order_id: '123',
      user_id: '42',
      items: ['Book'],
      total: 20.0,
    });
  });

  it('every service — when listing operations, then health, readiness, metrics and the reference are there', () => {
    for (const name of Object.keys(documents) as Array<keyof typeof documents>) {
      for (const path of ['/health', '/health/ready', '/health/db', '/health/queue', '/metrics']) {
        expect(paths(name), `${name} ${path}`).to.have.property(path);
      }
      expect(paths(name)).to.include.keys('/openapi.json', '/docs');
    }
  });

  it('every route behind the ready gate — when described, then it lists the 503 of a starting service', () => {
    expect(paths('coordinator')['/orders']!.post!.responses).to.have.property('503');
    expect(paths('inventory')['/stock']!.get!.responses).to.have.property('503');
    expect(paths('payment')['/health']!.get!.responses).not.to.have.property('503');
  });

  it('admin routes — when described, then they need the bearer token and list 401 and 403', () => {
    const replay = paths('coordinator')['/admin/sagas/{saga_id}/replay']!.post!;
    expect(replay.security).to.deep.equal([{ adminToken: [] }]);
    expect(replay.responses).to.include.keys('401', '403');
    expect(paths('coordinator')['/orders']!.post!.security).to.equal(undefined);
  });
});

describe('OpenAPI conformance check', () => {
  const check = (response: ReturnType<typeof json>, path = '/orders/123', method = 'GET') =>
    new OpenApiConformance('coordinator', documents.coordinator).check(method, path, response);

  it('given an answer as documented, then it passes', () => {
    expect(() => check(json(200, order))).not.to.throw();
    const problem = { type: 'https://x/not-found', title: 'Not Found', status: 404 };
    expect(() => check(json(404, problem, 'application/problem+json'))).not.to.throw();
  });

  it('given a status the operation does not document, then it fails naming it', () => {
    expect(() => check(json(418, order))).to.throw(/status not documented/);
  });

  it('given another content type, then it fails', () => {
    expect(() => check(json(200, order, 'text/plain'))).to.throw(/content type text\/plain/);
  });

  it('given a body off its schema, then it fails with the schema error', () => {
    expect(() => check(json(200, { ...order, status: 'LOST' }))).to.throw(/must be equal to one/);
    expect(() => check(json(200, { ...order, extra: 1 }))).to.throw(/additional properties/);
    const partial: Partial<typeof order> = { ...order };
    delete partial.saga_id;
    expect(() => check(json(200, partial))).to.throw(/saga_id/);
  });

  it('given an amount in cents, then binary floating point does not fail multipleOf', () => {
    expect(() => check(json(200, { ...order, total: 0.07 }))).not.to.throw();
    expect(() => check(json(200, { ...order, total: 0.071 }))).to.throw(/multiple/);
  });

  it('given a path no operation has, then it fails', () => {
    expect(() => check(json(200, {}), '/nowhere')).to.throw(/no such operation/);
  });

  it('given a literal path beside a template, then the literal one is chosen', () => {
    const checker = new OpenApiConformance('coordinator', documents.coordinator);
    checker.check('GET', '/sagas/counts', json(200, { counts: { COMPLETED: 1 }, total: 1 }));
    expect(checker.unexercised()).to.include('GET /sagas/{saga_id}');
    expect(checker.unexercised()).not.to.include('GET /sagas/counts');
  });

  it('the schema of the order view is the one documented for GET /orders/{order_id}', () => {
    const get = paths('coordinator')['/orders/{order_id}']!.get!;
    const ok = (get.responses as Record<string, { content: Record<string, { schema: unknown }> }>)[
      '200'
    ]!;
    expect(ok.content['application/json']!.schema).to.equal(orderViewSchema);
  });
});
