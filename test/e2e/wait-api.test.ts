import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { runClosedLoop } from '../../scripts/bench/closed-loop';
import { pidsListeningOn } from '../../scripts/bench/cpu';
import { runWaitApi } from '../../scripts/bench/wait-api';
import { OrderView, TimelineView, request } from '../helpers/api';
import { TEST_ADMIN_TOKEN, createNamespace } from '../helpers/namespace';
import { System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

describe('waiting for an order to settle (all four services as processes)', function () {
  this.timeout(60_000);
  let system: System;
  let api: string;

  before(async function () {
    system = new System(
      await createNamespace('wait', {
        MAX_RETRY_ATTEMPTS: '1',
        RETRY_DELAY_SECONDS: '0.1',
        STEP_TIMEOUT_SECONDS: '30',
      }),
    );
    await system.start();
    api = system.url('coordinator');
  });

  after(async () => {
    await system?.stop();
  });

  const order = (extra: Record<string, unknown> = {}) => ({
    order_id: `w-${randomUUID().slice(0, 8)}`,
    user_id: 'u',
    items: ['Book'],
    total: 10,
    ...extra,
  });

  const post = async (body: object, prefer?: string, signal?: AbortSignal) => {
    const response = await fetch(`${api}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(prefer ? { prefer } : {}) },
      body: JSON.stringify(body),
      signal,
    });
    return {
      status: response.status,
      applied: response.headers.get('preference-applied'),
      body: (await response.json()) as OrderView & Record<string, unknown>,
    };
  };

  const waitingClients = async () => {
    const text = await (await fetch(`${api}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('order_saga_waiting_clients'));
    return Number(line?.split(' ').pop());
  };

  it('given Prefer: wait, when a new order completes in time, then 201 with the settled order and Preference-Applied', async () => {
    const body = order();

    const answer = await post(body, 'wait=20');

    expect(answer.status).to.equal(201);
    expect(answer.applied).to.equal('wait=20');
    expect(answer.body).to.include({ order_id: body.order_id, status: 'COMPLETED', step: null });
    expect(answer.body).to.have.property('saga_id');
  });

  it('given Prefer: wait, when the same order is posted again, then it stays a 200 with the order', async () => {
    const body = order();
    await post(body, 'wait=20');

    const again = await post(body, 'respond-async, wait=20');

    expect(again.status).to.equal(200);
    expect(again.body).to.include({ order_id: body.order_id, status: 'COMPLETED' });
  });

  it('given Prefer: wait, when the order is declined, then it answers 201 with CANCELLED and the reason', async () => {
    const body = order({ simulate: { step: 'inventory', mode: 'decline' } });

    const answer = await post(body, 'wait=20');

    expect(answer.status).to.equal(201);
    expect(answer.body.status).to.equal('CANCELLED');
    expect(answer.body.reason).to.include({ step: 'inventory', code: 'SIMULATED_DECLINE' });
  });

  it('given an order that cannot settle in time, when a client waits, then the usual 202 and then a 200 with the current state', async () => {
    const body = order({ simulate: { step: 'payment', mode: 'timeout' } });

    const accepted = await post(body, 'wait=1');
    const read = await request<OrderView>(`${api}/orders/${body.order_id}?wait=1`);

    expect(accepted.status).to.equal(202);
    expect(accepted.applied).to.equal(null);
    expect(accepted.body).to.include({ order_id: body.order_id, status: 'PENDING' });
    expect(read.status).to.equal(200);
    expect(read.body).to.include({ status: 'PENDING', step: 'payment' });
  });

  it('given a running order, when a client waits on GET ?wait, then it answers once the order is STUCK', async () => {
    const body = order({ force_fail: true });
    await post(body);

    const read = await request<OrderView>(`${api}/orders/${body.order_id}?wait=30`);

    expect(read.status).to.equal(200);
    expect(read.body).to.include({ status: 'STUCK', step: 'payment' });
  });

  it('given a wait out of range or not a number, when asked, then 400', async () => {
    const body = order();
    await post(body);

    for (const wait of ['0', '61', 'abc', '-1', '1e3']) {
      const answer = await request(`${api}/orders/${body.order_id}?wait=${wait}`);
      expect(answer.status, `wait=${wait}`).to.equal(400);
      expect(answer.headers.get('content-type')).to.match(/application\/problem\+json/);
    }
  });

  it('given a waiting client that goes away, when it disconnects, then its waiter is released', async () => {
    const body = order({ simulate: { step: 'payment', mode: 'timeout' } });
    await post(body);
    const before = await waitingClients();
    const gone = new AbortController();

    const waiting = fetch(`${api}/orders/${body.order_id}?wait=30`, { signal: gone.signal }).catch(
      () => 'aborted',
    );
    await waitFor('the waiter to register', waitingClients, (n) => n === before + 1);
    gone.abort();

    expect(await waiting).to.equal('aborted');
    await waitFor('the waiter to be released', waitingClients, (n) => n === before);
  });

  it('given a client following a timeline, when the saga moves, then it gets just the new entries as they commit', async () => {
    const body = order({ simulate: { step: 'payment', mode: 'timeout' } });
    const { body: accepted } = await post(body);
    const timelineUrl = `${api}/orders/${body.order_id}/timeline`;
    const { body: first } = await request<TimelineView>(timelineUrl);
    const lastSeq = first.events[first.events.length - 1]!.seq;

    const quiet = await request<TimelineView>(`${timelineUrl}?after=${lastSeq}&wait=1`);
    const following = request<TimelineView>(`${timelineUrl}?after=${lastSeq}&wait=20`);
    const cancelled = await request(`${api}/admin/sagas/${accepted.saga_id}/cancel`, {
      body: { reason: 'customer asked' },
      token: TEST_ADMIN_TOKEN,
    });
    const { body: next } = await following;

    expect(quiet.body.events, 'nothing new while the step waits').to.deep.equal([]);
    expect(cancelled.status).to.equal(200);
    expect(next.events.length).to.be.greaterThan(0);
    expect(next.events.every((e) => e.seq > lastSeq)).to.equal(true);
    expect(next.events[0]!.type).to.equal('ADMIN_CANCEL');
  });

  it('given a timeline request with a bad after, when asked, then 400', async () => {
    const body = order();
    await post(body);

    const answer = await request(`${api}/orders/${body.order_id}/timeline?after=-3`);

    expect(answer.status).to.equal(400);
  });

  it("given the running system, when the closed-loop benchmark runs briefly, then every order it places completes and is counted, with the saga version and each service's CPU", async () => {
    const { ports } = system.namespace.config;

    const result = await runClosedLoop({
      port: ports.coordinator,
      inFlight: 4,
      seconds: 1,
      warmupSeconds: 0,
      sku: 'Book',
      servicePids: pidsListeningOn([ports.coordinator, ports.payment]),
      pidsByService: {
        coordinator: pidsListeningOn([ports.coordinator]),
        payment: pidsListeningOn([ports.payment]),
      },
    });

    expect(result.failures).to.equal(0);
    expect(result.saga_version).to.equal(system.namespace.config.sagaVersion);
    expect(Object.keys(result.service_cpu_ms_per_saga ?? {})).to.deep.equal([
      'coordinator',
      'payment',
    ]);
    expect(result.service_cpu_ms_per_saga?.coordinator).to.be.greaterThan(0);
    expect(result.sagas).to.be.greaterThan(0);
    expect(result.statuses).to.deep.equal({ COMPLETED: result.sagas });
    expect(result.latency_ms.p50).to.be.greaterThan(0);
    expect(result.cpu_ms_per_saga.services).to.be.greaterThan(0);
  });

  describe('the wait-API benchmark', () => {
    const options = () => {
      const port = system.namespace.config.ports.coordinator;
      return {
        port,
        adminToken: TEST_ADMIN_TOKEN,
        coordinatorPid: pidsListeningOn([port])[0]!,
        wakeSamples: 1,
        idleWaiters: 20,
        idleSeconds: 0.5,
      };
    };

    it('given the running system, when it runs briefly, then it reports how soon waiters heard and what idle waiters cost', async () => {
      const result = await runWaitApi(options());

      expect(result.wake_after_completed_ms.p50).to.be.at.least(0);
      expect(result.idle.waiters).to.equal(20);
      expect(result.idle.coordinator_cpu_ms_per_s_with).to.be.a('number');
    });

    it('given a token the system does not know, when it starts, then it says which setting to give', async () => {
      const refused = await runWaitApi({ ...options(), adminToken: 'not-the-token' }).then(
        () => undefined,
        (error: Error) => error.message,
      );

      expect(refused)
        .to.match(/answered 40[13]/)
        .and.include('set ADMIN_TOKEN');
    });
  });
});
