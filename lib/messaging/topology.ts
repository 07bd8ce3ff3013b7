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

/** The queue a step's commands go to; a step without one is a programming error. */
export function commandQueueOf(step: string): string {
  const queue = commandQueueOfStep[step];
  if (queue === undefined) throw new Error(`no command queue for step ${step}`);
  return queue;
}

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

export type ServiceName = 'coordinator' | 'payment' | 'inventory' | 'shipping';

/** Each service's share of the topology: the queues it consumes, and where it publishes. */
const shares: Record<ServiceName, { queue: string; publishesTo: readonly string[] }> = {
  coordinator: {
    queue: queues.coordinator,
    // Commands, replays of replies, fault rules, and the dead letters of replies it refuses.
    publishesTo: [exchanges.commands, exchanges.replies, exchanges.control, exchanges.deadLetters],
  },
  payment: { queue: queues.payment, publishesTo: workerPublishes() },
  inventory: { queue: queues.inventory, publishesTo: workerPublishes() },
  shipping: { queue: queues.shipping, publishesTo: workerPublishes() },
};

function workerPublishes(): readonly string[] {
  return [exchanges.replies, exchanges.retries, exchanges.deadLetters];
}

/** Whether `queue` belongs to `service` (its work queue, that queue's DLQ and retry queues). */
function ownsQueue(service: ServiceName, queue: string): boolean {
  if (service === 'coordinator') return queue.startsWith('coordinator.');
  return queue === shares[service].queue || queue.startsWith(`${shares[service].queue}.`);
}

/**
 * What `service` declares: a worker its own queues, their bindings, and the exchanges those
 * bindings and its publishes use; declaring no one else's queue is what lets its broker account
 * be limited to its own (see `permissionsOf`). The coordinator declares everything.
 */
export function serviceTopology(topology: Topology, service: ServiceName): Topology {
  // The coordinator sends to, watches (queue depths) and replays into every queue, so it
  // declares them all: any start order works on an empty broker.
  if (service === 'coordinator') return topology;
  const queuesOwned = topology.queues.filter((queue) => ownsQueue(service, queue.name));
  const bindings = topology.bindings.filter((binding) => ownsQueue(service, binding.queue));
  const used = new Set([...bindings.map((b) => b.exchange), ...shares[service].publishesTo]);
  used.add(exchanges.control); // every worker hears the fault rules
  return {
    exchanges: topology.exchanges.filter((exchange) => used.has(exchange.name)),
    queues: queuesOwned,
    bindings,
  };
}

export interface Permissions {
  configure: string;
  write: string;
  read: string;
}

/**
 * RabbitMQ permissions (regexes over resource names, per vhost) that let `service` do exactly
 * what its share of the topology needs: declare its exchanges and queues (configure), bind its
 * queues and publish to its exchanges (write), consume its queues and bind from its exchanges
 * (read). Server-named queues (`amq.gen-…`) are a worker's exclusive fault-rule listener. The
 * coordinator may declare every queue, consumes only its own, and reads every dead-letter queue:
 * the admin API lists, replays and purges them.
 */
export function permissionsOf(topology: Topology, service: ServiceName): Permissions {
  const own = serviceTopology(topology, service);
  const ownQueues = own.queues.map((queue) => queue.name);
  const consumed = ownQueues.filter((name) => ownsQueue(service, name));
  const exchangesUsed = own.exchanges.map((exchange) => exchange.name);
  const boundFrom = new Set(own.bindings.map((binding) => binding.exchange));
  if (service !== 'coordinator') boundFrom.add(exchanges.control);
  const listener = service === 'coordinator' ? [] : [SERVER_NAMED];
  const deadLetterQueues =
    service === 'coordinator'
      ? topology.queues.map((queue) => queue.name).filter((name) => name.endsWith('.dlq'))
      : [];
  return {
    configure: anyOf([...ownQueues, ...exchangesUsed], listener),
    write: anyOf([...ownQueues, ...shares[service].publishesTo], listener),
    read: anyOf([...consumed, ...deadLetterQueues, ...boundFrom], listener),
  };
}

const SERVER_NAMED = 'amq\\.gen-.*';

function anyOf(names: readonly string[], patterns: readonly string[]): string {
  const literal = [...new Set(names)]
    .sort()
    .map((name) => name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
  return `^(${[...literal, ...patterns].join('|')})$`;
}
