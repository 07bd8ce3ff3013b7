import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { OrderView, request } from '../helpers/api';
import { createNamespace } from '../helpers/namespace';
import { OtlpReceiver, ReceivedSpan, spanKinds } from '../helpers/otlp-receiver';
import { ServiceName, System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const services = {
  coordinator: 'order-saga-coordinator',
  payment: 'order-saga-payment',
  inventory: 'order-saga-inventory',
  shipping: 'order-saga-shipping',
} as const;

/** What each command the happy path sends is answered with. */
const happyPath = [
  { step: 'payment', command: 'payment.authorize', reply: 'payment.authorized' },
  { step: 'inventory', command: 'inventory.reserve', reply: 'inventory.reserved' },
  { step: 'shipping', command: 'shipping.create', reply: 'shipping.ready' },
] as const;

describe('tracing — one trace per order across the four services (OTLP/HTTP to a receiver)', function () {
  this.timeout(240_000);
  const receiver = new OtlpReceiver();
  let system: System;
  let api: string;

  before(async function () {
    const endpoint = await receiver.start();
    system = new System(
      await createNamespace('tracing', {
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        CLOUDWATCH_NAMESPACE: 'OrderSagaTest',
        AWS_REGION: 'eu-west-1',
      }),
    );
    // Loading the SDK makes a start slower than the harness's default wait on a busy machine.
    const names = ['coordinator', 'payment', 'inventory', 'shipping'] as const;
    for (const name of names) system.launch(name);
    await Promise.all(names.map((name) => system.waitReady(name, 120_000)));
    api = system.url('coordinator');
  });

  after(async () => {
    await system?.stop();
    await receiver.stop();
  });

  it('given an order that completes, when its trace is read, then the POST is its root and every transition, publish, command and reply hangs below it', async () => {
    const orderId = `traced-${Date.now()}`;
    const accepted = await request<OrderView>(`${api}/orders`, {
      body: { order_id: orderId, user_id: '42', items: ['Book'], total: 20 },
    });
    expect(accepted.status).to.equal(202);
    const traceId = accepted.body.saga_id.replace(/-/g, '');

    // Each service exports its spans in batches of its own, so the coordinator's last transition
    // can arrive before the worker's publish it hangs below: wait for the whole tree.
    const spans = await waitFor(
      `the trace of order ${orderId} to reach its last transition with every parent span`,
      async () => receiver.trace(traceId),
      (found) =>
        found.some((s) => s.name === 'saga shipping.ready') && orphansIn(found).length === 0,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);
    const one = (service: string, name: string) => {
      const found = spans.filter((s) => s.service === service && s.name === name);
      expect(found, `${service} ${name} in ${names(spans)}`).to.have.length(1);
      return found[0]!;
    };

    const roots = spans.filter((s) => !s.parentSpanId);
    expect(
      roots.map((s) => [s.service, s.kind]),
      names(spans),
    ).to.deep.equal([[services.coordinator, spanKinds.server]]);
    expect(orphansIn(spans).map((s) => `${s.service} ${s.name}`)).to.deep.equal([]);

    for (const { step, command, reply } of happyPath) {
      const worker = services[step];
      const consumed = one(worker, `process ${command}`);
      expect(consumed.kind).to.equal(spanKinds.consumer);
      expect(consumed.attributes['saga.id']).to.equal(accepted.body.saga_id);
      const published = parentOf(consumed)!;
      expect([published.service, published.name, published.kind]).to.deep.equal([
        services.coordinator,
        `publish ${command}`,
        spanKinds.producer,
      ]);
      const replied = one(worker, `publish ${reply}`);
      expect(parentOf(replied)).to.equal(consumed);
      const transition = one(services.coordinator, `saga ${reply}`);
      expect(parentOf(transition)).to.equal(replied);
    }
    // The first command leaves from the POST itself; each next one from the transition before.
    expect(rootOf(one(services.coordinator, 'publish payment.authorize'), byId)).to.equal(roots[0]);
    expect(parentOf(one(services.coordinator, 'publish inventory.reserve'))!.name).to.equal(
      'saga payment.authorized',
    );
    // The provider's HTTP call is part of the payment command's work.
    const providerCall = spans.find(
      (s) => s.service === services.payment && s.kind === spanKinds.client,
    );
    expect(providerCall, names(spans)).to.not.equal(undefined);
    expect(parentOf(providerCall!)!.name).to.equal('process payment.authorize');

    // express and pg are patched as they load: a service that bundles them must load them
    // from node_modules when tracing is on, or their spans are missing.
    const coordinatorSpans = receiver.spans.filter((s) => s.service === services.coordinator);
    expect(
      coordinatorSpans.some((s) => s.attributes['express.type'] !== undefined),
      'express spans',
    ).to.equal(true);
    expect(
      coordinatorSpans.some((s) => s.attributes['db.system.name'] === 'postgresql'),
      'pg spans',
    ).to.equal(true);

    const lines = logLines(system, 'coordinator').filter((l) => l.order_id === orderId);
    expect(lines.length).to.be.greaterThan(0);
    expect(lines.map((l) => l.trace_id)).to.deep.equal(lines.map(() => traceId));
  });

  it('given CLOUDWATCH_NAMESPACE set and the order above, when the services stop, then their last EMF lines count it', async () => {
    await system.stop();
    const emf = (service: ServiceName) =>
      logLines(system, service).filter((line) => typeof line._aws === 'object');
    const sum = (lines: Array<Record<string, unknown>>, metric: string) =>
      lines.reduce((total, line) => total + (Number(line[metric]) || 0), 0);
    const namespaces = (lines: Array<Record<string, unknown>>) =>
      lines.map(
        (line) =>
          (line._aws as { CloudWatchMetrics: Array<{ Namespace: string }> }).CloudWatchMetrics[0]!
            .Namespace,
      );

    const coordinator = emf('coordinator');
    expect(sum(coordinator, 'SagasStarted'), JSON.stringify(coordinator)).to.be.at.least(1);
    expect(sum(coordinator, 'SagasCompleted')).to.be.at.least(1);
    expect(coordinator[0]).to.deep.include({ Service: 'coordinator', Region: 'eu-west-1' });
    for (const worker of ['payment', 'inventory', 'shipping'] as const) {
      const lines = emf(worker);
      expect(sum(lines, 'CommandsProcessed'), `${worker}: ${JSON.stringify(lines)}`).to.be.at.least(
        1,
      );
      expect(namespaces(lines)).to.include('OrderSagaTest');
    }
  });
});

/** Spans whose parent is not among the given ones. */
function orphansIn(spans: ReceivedSpan[]): ReceivedSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId));
}

function rootOf(span: ReceivedSpan, byId: Map<string, ReceivedSpan>): ReceivedSpan {
  let current = span;
  while (byId.has(current.parentSpanId)) current = byId.get(current.parentSpanId)!;
  return current;
}

function names(spans: ReceivedSpan[]): string {
  return spans.map((s) => `${s.service}:${s.name}`).join(', ');
}

function logLines(system: System, service: ServiceName): Array<Record<string, unknown>> {
  return readFileSync(system.logPath(service), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
