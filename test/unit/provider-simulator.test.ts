import { expect } from 'chai';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { loadConfig } from '../../lib/config';
import {
  providerSimulator,
  simulatorInProductionWarning,
} from '../../workers/payment/provider-simulator';

describe('payment provider simulator', () => {
  let server: http.Server;
  let base: string;

  before(async () => {
    const simulate = providerSimulator(100);
    server = http.createServer((req, res) => {
      if (!simulate(req, res)) res.writeHead(418).end('not the provider');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise((resolve) => server.close(resolve)));

  const post = async (path: string, body: string, key?: string) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('given an amount within the limit, when authorized twice with one key, then the same authorization comes back', async () => {
    const first = await post('/provider/authorizations', '{"amount":20}', 'k1');
    const again = await post('/provider/authorizations', '{"amount":20}', 'k1');

    expect(first.status).to.equal(201);
    expect(first.body.authorization_id).to.match(/^auth_/);
    expect(again).to.deep.equal(first);
  });

  it('given an amount above the limit, when authorized, then it is declined with 402', async () => {
    const answer = await post('/provider/authorizations', '{"amount":100.01}', 'k2');

    expect(answer.status).to.equal(402);
    expect(answer.body.code).to.equal('AMOUNT_LIMIT_EXCEEDED');
  });

  it('given a request without a key, an amount or a JSON body, when sent, then 400', async () => {
    expect((await post('/provider/authorizations', '{"amount":5}')).status).to.equal(400);
    expect((await post('/provider/authorizations', '{}', 'k3')).status).to.equal(400);
    expect((await post('/provider/authorizations', '{not json', 'k4')).status).to.equal(400);
    expect((await post('/provider/authorizations', 'x'.repeat(5000), 'k5')).status).to.equal(400);
  });

  it('given an authorization, when voided, then 200 with its id', async () => {
    const answer = await post('/provider/authorizations/auth_1/void', '{}', 'v1');

    expect(answer).to.deep.equal({
      status: 200,
      body: { authorization_id: 'auth_1', status: 'voided' },
    });
  });

  it('given another path under /provider, when asked, then 404; outside it, the request is left alone', async () => {
    const unknown = await fetch(`${base}/provider/refunds`, { method: 'POST', body: '{}' });
    const other = await fetch(`${base}/payments/1`);

    expect(unknown.status).to.equal(404);
    expect(other.status).to.equal(418);
  });

  describe('in a production configuration', () => {
    it('given fault injection off and no provider, when the worker starts, then it warns that the simulator charges no one', () => {
      const warning = simulatorInProductionWarning(loadConfig({ FAULT_INJECTION: 'off' }));

      expect(warning).to.include('PAYMENT_PROVIDER_URL');
    });

    it('given a provider, or fault injection on, when the worker starts, then there is nothing to warn of', () => {
      const configured = loadConfig({
        FAULT_INJECTION: 'off',
        PAYMENT_PROVIDER_URL: 'https://payments.example.com',
      });

      expect(simulatorInProductionWarning(configured)).to.equal(undefined);
      expect(simulatorInProductionWarning(loadConfig({}))).to.equal(undefined);
    });
  });
});
