/**
 * Prometheus metrics: one registry per service. Every series, Node's runtime ones included,
 * starts with `order_saga_` so one name filter finds the whole product, and every series carries
 * a `service` label. Labels take values from small fixed sets only: never an order or saga id.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const METRIC_PREFIX = 'order_saga_';

export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

export function counter(registry: Registry, name: string, help: string, labelNames: string[] = []) {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Bounds for durations in seconds: from a few milliseconds to half a minute. */
export const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Bounds for message counts per batch. */
export const batchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

export function histogram(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[] = [],
  buckets = secondsBuckets,
) {
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

/** Messages per consumer batch: how much one transaction and one confirm window carry. */
export function batchSizeHistogram(registry: Registry) {
  return histogram(
    registry,
    'order_saga_consumer_batch_size_messages',
    'Messages handled per consumer batch',
    ['queue'],
    batchBuckets,
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

export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * A gauge read when scraped, e.g. queue depths fetched from the broker or counts from one
 * query. A failed read leaves the gauge empty rather than showing a stale value.
 */
export function sampledGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  sample: () => Promise<GaugeSample[]>,
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

/**
 * One read shared by the gauges of one scrape: several gauges come from one query or one round
 * of broker calls, and a scrape collects them one after another within milliseconds.
 */
export function sharedRead<T>(read: () => Promise<T>, maxAgeMs = 1_000): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > maxAgeMs) {
      const value = read();
      last = { at: now, value };
      // A failed read is not kept: the next scrape tries again.
      value.catch(() => {
        if (last?.value === value) last = undefined;
      });
    }
    return last.value;
  };
}

/**
 * Messages refused because the account that published them is not one the consumer obeys:
 * anything above zero is a misconfigured service or someone writing to a queue they should not.
 */
export function unauthorizedMessagesCounter(registry: Registry) {
  const refused = counter(
    registry,
    'order_saga_unauthorized_messages_total',
    'Messages dead-lettered because their publisher (user-id) is not an account this consumer obeys',
    ['queue'],
  );
  return (queue: string) => refused.inc({ queue });
}
