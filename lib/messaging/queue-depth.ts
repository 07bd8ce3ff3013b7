/** Queue and dead-letter-queue depths as Prometheus gauges, read from the broker when scraped. */
import type { Registry } from 'prom-client';
import { sampledGauge } from '../metrics';
import { BrokerConnection } from './connection';
import { Topology } from './topology';

export function registerQueueDepthGauges(
  registry: Registry,
  broker: BrokerConnection,
  topology: Topology,
): void {
  const channel = broker.createChannel();
  const names = topology.queues.map((queue) => queue.name);
  const sample = async () => {
    if (!broker.isConnected()) return [];
    const depths = await Promise.all(
      names.map(async (queue) => ({
        queue,
        depth: (await channel.checkQueue(queue)).messageCount,
      })),
    );
    return depths.map(({ queue, depth }) => ({ labels: { queue }, value: depth }));
  };
  sampledGauge(registry, 'saga_queue_depth', 'Messages ready in each queue', ['queue'], sample);
  sampledGauge(
    registry,
    'saga_dlq_depth',
    'Messages in each dead-letter queue',
    ['queue'],
    async () => (await sample()).filter(({ labels }) => labels.queue.endsWith('.dlq')),
  );
}
