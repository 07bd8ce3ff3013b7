/**
 * The RabbitMQ topology as data: every exchange, queue and binding the system uses, with the
 * arguments that make them safe (durable, quorum, TTL, dead-lettering). Declared idempotently
 * by every service at every (re)connect, so any start order works on an empty broker.
 */

export const exchanges = {
  commands: 'saga.commands',
  replies: 'saga.replies',
  deadLetters: 'saga.dead-letters',
  retries: 'saga.retries',
  control: 'saga.control',
} as const;

export const queues = {
  payment: 'payment.commands',
  inventory: 'inventory.commands',
  shipping: 'shipping.commands',
  coordinator: 'coordinator.replies',
  deadLetterEvents: 'coordinator.dead-letter-events',
} as const;

/**
 * The queue each saga step's commands go to. The fraud check (`risk`) has no worker of its
 * own: the payment worker answers it, from its own queue.
 */
export const commandQueueOfStep: Readonly<Record<string, string>> = {
  risk: queues.payment,
  payment: queues.payment,
  inventory: queues.inventory,
  shipping: queues.shipping,
};

export const WORK_QUEUE_TTL_MS = 24 * 60 * 60 * 1000;
export const DELIVERY_LIMIT = 20;

export interface ExchangeSpec {
  name: string;
  type: 'direct' | 'topic' | 'fanout';
}

export interface QueueSpec {
  name: string;
  arguments: Record<string, string | number>;
}

export interface BindingSpec {
  queue: string;
  exchange: string;
  routingKey: string;
}

export interface Topology {
  exchanges: ExchangeSpec[];
  queues: QueueSpec[];
  bindings: BindingSpec[];
}

export interface TopologyOptions {
  /** Number of delayed-retry levels (one queue per level per work queue). */
  retryLevels: number;
}

export const deadLetterQueueOf = (queue: string): string => `${queue}.dlq`;
export const retryQueueOf = (queue: string, level: number): string => `${queue}.retry.${level}`;

const quorum = { 'x-queue-type': 'quorum' } as const;

/** Work queues dead-letter (expired or rejected) into their own DLQ, at least once. */
function workQueue(name: string): QueueSpec {
  return {
    name,
    arguments: {
      ...quorum,
      'x-message-ttl': WORK_QUEUE_TTL_MS,
      'x-dead-letter-exchange': exchanges.deadLetters,
      'x-dead-letter-routing-key': name,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
      // A message that kills its consumer every time is dead-lettered, not redelivered forever.
      'x-delivery-limit': DELIVERY_LIMIT,
    },
  };
}

/**
 * A retry queue has no consumer: its messages wait out their per-message expiration and are
 * dead-lettered back to the work queue. One queue per level keeps equal delays together, so a
 * short delay never waits behind a long one.
 */
function retryQueue(workQueueName: string, level: number): QueueSpec {
  return {
    name: retryQueueOf(workQueueName, level),
    arguments: {
      ...quorum,
      'x-dead-letter-exchange': exchanges.commands,
      'x-dead-letter-routing-key': workQueueName,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  };
}

export function buildTopology(options: TopologyOptions): Topology {
  const commandQueues = [queues.payment, queues.inventory, queues.shipping];
  const workQueues = [...commandQueues, queues.coordinator];
  const topology: Topology = {
    exchanges: [
      { name: exchanges.commands, type: 'direct' },
      { name: exchanges.replies, type: 'direct' },
      { name: exchanges.deadLetters, type: 'topic' },
      { name: exchanges.retries, type: 'direct' },
      { name: exchanges.control, type: 'fanout' },
    ],
    queues: [],
    bindings: [],
  };
  for (const name of workQueues) {
    const exchange = name === queues.coordinator ? exchanges.replies : exchanges.commands;
    topology.queues.push(workQueue(name), { name: deadLetterQueueOf(name), arguments: quorum });
    topology.bindings.push(
      { queue: name, exchange, routingKey: name },
      { queue: deadLetterQueueOf(name), exchange: exchanges.deadLetters, routingKey: name },
    );
  }
  for (const name of commandQueues) {
    for (let level = 1; level <= options.retryLevels; level += 1) {
      topology.queues.push(retryQueue(name, level));
      topology.bindings.push({
        queue: retryQueueOf(name, level),
        exchange: exchanges.retries,
        routingKey: retryQueueOf(name, level),
      });
    }
  }
  // The coordinator hears of every dead letter, whichever queue it came from.
  topology.queues.push({ name: queues.deadLetterEvents, arguments: quorum });
  topology.bindings.push({
    queue: queues.deadLetterEvents,
    exchange: exchanges.deadLetters,
    routingKey: '#',
  });
  return topology;
}

/** The subset of a channel that declaring needs; amqplib's Channel satisfies it. */
export interface DeclaringChannel {
  assertExchange(name: string, type: string, options: { durable: boolean }): Promise<unknown>;
  assertQueue(
    name: string,
    options: { durable: boolean; arguments: Record<string, unknown> },
  ): Promise<unknown>;
  bindQueue(queue: string, exchange: string, routingKey: string): Promise<unknown>;
}

export async function declareTopology(
  channel: DeclaringChannel,
  topology: Topology,
): Promise<void> {
  for (const exchange of topology.exchanges) {
    await channel.assertExchange(exchange.name, exchange.type, { durable: true });
  }
  for (const queue of topology.queues) {
    await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
  }
  for (const binding of topology.bindings) {
    await channel.bindQueue(binding.queue, binding.exchange, binding.routingKey);
  }
}
