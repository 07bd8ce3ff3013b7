import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { OrderView, request } from '../helpers/api';
import { createNamespace, management, TEST_ADMIN_TOKEN } from '../helpers/namespace';
import { ServiceName, System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

type LogLine = Record<string, unknown>;

function logLines(system: System, service: ServiceName): LogLine[] {
  return readFileSync(system.logPath(service), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('operator logs and broker connection names (all four services as processes)', function () {
  this.timeout(60_000);
  let system: System;
  let api: string;

  before(async function () {
    system = new System(await createNamespace('observe', { LOG_LEVEL: 'debug' }));
    await system.start();
    api = system.url('coordinator');
  });

  after(async () => {
    await system?.stop();
  });

  it('given an order that completes, when the coordinator log is read, then it has one accepted and one completed line with the saga ids and a duration', async () => {
    const orderId = `observe-${Date.now()}`;

    const accepted = await request<OrderView>(`${api}/orders`, {
      body: { order_id: orderId, user_id: '42', items: ['Book'], total: 20 },
    });
    expect(accepted.status).to.equal(202);
    const sagaId = accepted.body.saga_id;
    const completed = await waitFor(
      `the coordinator to log that order ${orderId} completed`,
      async () => logLines(system, 'coordinator').filter((l) => l.order_id === orderId),
      (lines) => lines.some((l) => l.message === 'saga completed'),
    );

    const ids = { saga_id: sagaId, order_id: orderId, correlation_id: sagaId };
    expect(completed.map((l) => l.message)).to.deep.equal(['saga accepted', 'saga completed']);
    expect(completed[0]).to.include({ level: 'info', ...ids, status: 'PENDING' });
    expect(completed[1]).to.include({ level: 'info', ...ids, status: 'COMPLETED' });
    expect(completed[1]!.duration_ms).to.be.a('number').that.is.at.least(0);
  });

  it('given requests with and without the admin token, when the debug log is read, then each has an access line and the token is nowhere', async () => {
    await request(`${api}/admin/sagas?status=STUCK`, { token: TEST_ADMIN_TOKEN });
    await request(`${api}/orders/no-such-order`);

    const lines = await waitFor(
      'access lines for both requests',
      async () => logLines(system, 'coordinator').filter((l) => l.message === 'http request'),
      (found) => found.some((l) => l.path === '/orders/no-such-order'),
    );

    expect(lines.find((l) => l.path === '/admin/sagas')).to.include({
      level: 'debug',
      method: 'GET',
      status: 200,
    });
    expect(lines.find((l) => l.path === '/orders/no-such-order')).to.include({ status: 404 });
    expect(lines.every((l) => typeof l.duration_ms === 'number')).to.equal(true);
    expect(readFileSync(system.logPath('coordinator'), 'utf8')).to.not.include(TEST_ADMIN_TOKEN);
  });

  it('given the four services, when the broker lists their connections, then each is named after its service', async () => {
    const path = `/api/vhosts/${encodeURIComponent(system.namespace.vhost)}/connections`;

    // The management API lists a connection once its statistics are in (about 5 s).
    const connections = await waitFor(
      'the four services to be listed by the broker',
      async () =>
        (await management('GET', path)) as Array<{ client_properties: Record<string, unknown> }>,
      (listed) => listed.length >= 4,
      { timeoutMs: 20_000, intervalMs: 250 },
    );

    const programs = connections
      .map((c) => String(c.client_properties.connection_name))
      .map((name) => /^order-saga (\w+)@.+:\d+$/.exec(name)?.[1] ?? name)
      .sort();
    expect(programs).to.deep.equal(['coordinator', 'inventory', 'payment', 'shipping']);
  });
});
