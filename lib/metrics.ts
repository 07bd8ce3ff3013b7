/** Prometheus metrics: one registry per service, with Node's default process metrics. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function counter(registry: Registry, name: string, help: string, labelNames: string[] = []) {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function histogram(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[] = [],
  buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
) {
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

/** Messages per consumer batch: how much one transaction and one confirm window carry. */
export function batchSizeHistogram(registry: Registry) {
  return histogram(
    registry,
    'consumer_batch_size',
    'Messages handled per batch',
    ['queue'],
    [1, 2, 4, 8, 16, 32, 64, 128, 256],
  );
}

/**
 * Messages the broker returned because no queue is bound for them. Each one is a failed
 * publish that its sender keeps and retries; a non-zero rate means a broken topology.
 */
export function returnedMessagesCounter(registry: Registry) {
  const returned = counter(
    registry,
    'order_saga_publish_returned_total',
    'Messages the broker returned as unroutable (the publish failed and was kept)',
    ['exchange', 'routing_key'],
  );
  return (message: { exchange: string; routingKey: string }) =>
    returned.inc({ exchange: message.exchange, routing_key: message.routingKey });
}

/** A gauge read when scraped, e.g. queue depths fetched from the broker. */
export function sampledGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  sample: () => Promise<Array<{ labels: Record<string, string>; value: number }>>,
) {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { labels, value } of await sample().catch(() => [])) this.set(labels, value);
    },
  });
}

/** A gauge whose value is read from the process when scraped (e.g. a size in memory). */
export function gaugeOf(registry: Registry, name: string, help: string, read: () => number) {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
