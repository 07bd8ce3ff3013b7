/**
 * Queue depths, dead-letter-queue depths and consumer counts as Prometheus gauges, read from the
 * broker when scraped: one passive `checkQueue` per queue on a channel of their own (AMQP
 * queue.declare with passive set answers the ready-message and consumer counts). This needs no
 * management plugin and costs the broker one small round trip per queue per scrape.
 */
import type { Registry } from 'prom-client';
import { GaugeSample, sampledGauge, sharedRead } from '../metrics';
import { BrokerConnection } from './connection';
import { Topology } from './topology';

interface QueueState {
  queue: string;
  messages: number;
  consumers: number;
}

export function registerQueueDepthGauges(
  registry: Registry,
  broker: BrokerConnection,
  topology: Topology,
): void {
  const channel = broker.createChannel();
  const names = topology.queues.map((queue) => queue.name);
  const read = sharedRead(async (): Promise<QueueState[]> => {
    if (!broker.isConnected()) return [];
    return Promise.all(
      names.map(async (queue) => {
        const { messageCount, consumerCount } = await channel.checkQueue(queue);
        return { queue, messages: messageCount, consumers: consumerCount };
      }),
    );
  });
  const gauge = (name: string, help: string, pick: (states: QueueState[]) => GaugeSample[]) =>
    sampledGauge(registry, name, help, ['queue'], async () => pick(await read()));
  gauge('order_saga_queue_messages', 'Messages ready in each queue (DLQs included)', (states) =>
    states.map((s) => ({ labels: { queue: s.queue }, value: s.messages })),
  );
  gauge('order_saga_dlq_messages', 'Messages in each dead-letter queue', (states) =>
    states
      .filter((s) => s.queue.endsWith('.dlq'))
      .map((s) => ({ labels: { queue: s.queue }, value: s.messages })),
  );
  gauge('order_saga_queue_consumers', 'Consumers attached to each queue', (states) =>
    states.map((s) => ({ labels: { queue: s.queue }, value: s.consumers })),
  );
}
