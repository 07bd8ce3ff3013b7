import { expect } from 'chai';
import path from 'node:path';
import { parsePrometheus, samplesOf, sumOf } from '../../console/src/metrics/prometheus';
import { request } from '../helpers/api';
import {
  Family,
  documentedSeries,
  familiesOf,
  familyName,
  seriesNamedIn,
} from '../helpers/metrics-catalog';
import { createNamespace } from '../helpers/namespace';
import { ServiceName, System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const root = path.resolve(__dirname, '../..');
const services: ServiceName[] = ['coordinator', 'payment', 'inventory', 'shipping'];
const workers = new Set<ServiceName>(['payment', 'inventory', 'shipping']);

function exportedBy(service: ServiceName, who: string): boolean {
  if (who === 'all') return true;
  if (who === 'workers') return workers.has(service);
  return who === service;
}

describe('metrics catalogue (all four services as processes)', function () {
  this.timeout(90_000);
  let system: System;
  const scraped = new Map<ServiceName, Map<string, Family>>();
  const texts = new Map<ServiceName, string>();
  const poisoned = { orderId: `metrics-stuck-${Date.now()}`, total: 20.5 };

  before(async function () {
    system = new System(await createNamespace('metrics'));
    await system.start();
    const api = system.url('coordinator');
    // One order through every step, so labelled series have samples whose labels can be read,
    // and one whose shipping command is poison, so it is dead-lettered and the saga STUCK.
    const orderId = `metrics-${Date.now()}`;
    const orders = [
      { order_id: orderId, user_id: '7', items: ['Book'], total: 20 },
      {
        order_id: poisoned.orderId,
        user_id: '7',
        items: ['Book'],
        total: poisoned.total,
        simulate: { step: 'shipping', mode: 'poison' },
      },
    ];
    for (const body of orders) {
      expect((await request(`${api}/orders`, { body })).status).to.equal(202);
    }
    await waitFor(
      'one order COMPLETED and one STUCK',
      async () =>
        Promise.all(
          orders.map(
            async (o) =>
              (await request<{ status: string }>(`${api}/orders/${o.order_id}`)).body.status,
          ),
        ),
      (statuses) => statuses.join() === 'COMPLETED,STUCK',
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // The dead letter reaches its DLQ on its own path; the scrape waits for the broker to count it.
    await waitFor(
      'the shipping DLQ to hold the poison command',
      async () => parsePrometheus(await (await fetch(`${api}/metrics`)).text()),
      (samples) =>
        sumOf(samplesOf(samples, 'order_saga_dlq_messages', { queue: 'shipping.commands.dlq' })) ===
        1,
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    for (const service of services) {
      const text = await (await fetch(`${system.url(service)}/metrics`)).text();
      texts.set(service, text);
      scraped.set(service, familiesOf(text));
    }
  });

  after(async () => {
    await system?.stop();
  });

  it('given every service scraped, when compared with docs/metrics.md, then each documented series is exported by exactly the services it names, with its type', () => {
    const documented = documentedSeries(root);
    expect(documented.length, 'rows read from the table').to.be.greaterThan(30);
    for (const service of services) {
      const families = scraped.get(service)!;
      const expected = documented
        .filter((d) => exportedBy(service, d.exportedBy))
        .map((d) => `${d.name} ${d.type}`)
        .sort();
      const actual = [...families.entries()].map(([name, f]) => `${name} ${f.type}`).sort();
      expect(actual, `${service} exports`).to.deep.equal(expected);
    }
  });

  it('given every service scraped, when sample labels are read, then each series uses only its documented labels and none carries an order or saga id', () => {
    const labelsOf = new Map(documentedSeries(root).map((d) => [d.name, new Set(d.labels)]));
    for (const service of services) {
      for (const [name, family] of scraped.get(service)!) {
        const allowed = labelsOf.get(name) ?? new Set();
        const extra = [...family.labels].filter((label) => !allowed.has(label));
        expect(extra, `${service} ${name} undocumented labels`).to.deep.equal([]);
        expect([...family.labels]).not.to.include.members(['order_id', 'saga_id']);
      }
    }
  });

  it('given the dashboard and the alerting rules, when the series they query are listed, then every one is exported by some service', () => {
    const exported = new Map<string, Family>();
    for (const families of scraped.values()) for (const [n, f] of families) exported.set(n, f);
    for (const file of ['monitoring/grafana-dashboard.json', 'monitoring/prometheus-rules.yml']) {
      const named = seriesNamedIn(path.join(root, file));
      expect(named.length, `series named in ${file}`).to.be.greaterThan(5);
      const unknown = named.filter((name) => !exported.has(familyName(name, exported)));
      expect(unknown, `${file} queries series no service exports`).to.deep.equal([]);
    }
  });

  it('given one order completed and one STUCK at shipping, when the services are scraped, then outcomes, STUCK figures, money at risk and effects count them', () => {
    const value = (service: ServiceName, name: string, labels: Record<string, string> = {}) =>
      sumOf(samplesOf(parsePrometheus(texts.get(service)!), name, labels));

    expect(value('coordinator', 'order_saga_sagas_started_total')).to.equal(2);
    expect(value('coordinator', 'order_saga_sagas_ended_total', { status: 'COMPLETED' })).to.equal(
      1,
    );
    expect(value('coordinator', 'order_saga_dead_letters_total', { step: 'shipping' })).to.equal(1);
    expect(
      value('coordinator', 'order_saga_stuck_sagas', { step: 'shipping', reason: 'POISON' }),
    ).to.equal(1);
    expect(value('coordinator', 'order_saga_stuck_oldest_age_seconds')).to.be.within(0, 60);
    expect(value('coordinator', 'order_saga_money_at_risk', { status: 'STUCK' })).to.equal(
      poisoned.total,
    );
    expect(value('payment', 'order_saga_effects_total', { effect: 'authorization' })).to.equal(2);
    expect(value('inventory', 'order_saga_effects_total', { effect: 'reservation' })).to.equal(2);
    expect(value('shipping', 'order_saga_effects_total', { effect: 'shipment' })).to.equal(1);
    expect(
      value('coordinator', 'order_saga_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/orders',
        status: '202',
      }),
    ).to.equal(2);
  });
});
