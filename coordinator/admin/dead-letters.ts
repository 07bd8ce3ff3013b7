/**
 * Dead-letter queues for operators: list, replay to the origin queue, purge, for queues of any
 * size in bounded memory.
 *
 * Listing reads the mirror table (repositories/dead-letters), never the queue: taking a message
 * off a quorum queue and putting it back counts as a delivery. The count is the broker's.
 *
 * Replay walks the queue once, a window of messages at a time: it publishes the window on a
 * confirm channel and acks the dead letters only once the broker has confirmed the republish,
 * so a message is never in neither place. When only some ids are asked for, the others in the
 * window are republished to the back of the same queue (confirmed, then acked) rather than
 * requeued, so their delivery count does not grow. The replayed message starts a fresh retry
 * budget.
 */
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { Database } from '../../lib/db';
import { BrokerConnection } from '../../lib/messaging/connection';
import {
  ATTEMPT_HEADER,
  REPLAYED_HEADER,
  LAST_ERROR_HEADER,
  deadLetterHeaders as h,
  isBrokerDeathHeader,
} from '../../lib/messaging/headers';
import { deadLetterQueueOf, exchanges, queues } from '../../lib/messaging/topology';
import { DeadLetterView, deadLetterView } from '../dead-letter-view';
import {
  forgetDeadLetters,
  forgetQueueUpTo,
  lastDeadLetterId,
  pageOfDeadLetters,
} from '../repositories/dead-letters';

export type { DeadLetterView } from '../dead-letter-view';

const workQueues = [queues.payment, queues.inventory, queues.shipping, queues.coordinator];
export const deadLetterQueues = workQueues.map(deadLetterQueueOf);

/** Messages held unacked at once during a replay: the bound on its memory. */
const REPLAY_WINDOW = 500;
/** How long a replay waits for a window to fill before it takes what came. */
const IDLE_MS = 300;
/** Replayed messages named in the answer; the rest are counted. */
const SHOWN = 500;

export interface DeadLetterPage {
  queue: string;
  count: number;
  messages: DeadLetterView[];
  next_cursor: string | null;
}

export interface ReplayOutcome {
  replayed: number;
  /** The first replayed messages, at most SHOWN of them. */
  messages: DeadLetterView[];
}

export class BrokerUnavailableError extends Error {
  readonly code = 'ECONNREFUSED';
  constructor() {
    super('not connected to RabbitMQ');
  }
}

export class DeadLetterAdmin {
  constructor(
    private readonly broker: BrokerConnection,
    private readonly db: Database,
    /** This connection's broker user, named as the sender of what is replayed. */
    private readonly userId?: string,
  ) {}

  /** A page of each queue (all dead-letter queues by default); `afterId` is a cursor's row. */
  async list(options: {
    queues?: readonly string[];
    limit: number;
    afterId?: number;
  }): Promise<DeadLetterPage[]> {
    const counts = await this.withChannel(async (channel) => {
      const found = [];
      for (const queue of options.queues ?? deadLetterQueues) {
        found.push({ queue, count: (await channel.checkQueue(queue)).messageCount });
      }
      return found;
    });
    const pages = [];
    for (const { queue, count } of counts) {
      // An empty queue has nothing to mirror: rows left by a purge done elsewhere go.
      if (count === 0) await forgetQueueUpTo(this.db, queue, Number.MAX_SAFE_INTEGER);
      const page = await pageOfDeadLetters(this.db, queue, options);
      const next_cursor = page.more && page.lastId !== null ? String(page.lastId) : null;
      pages.push({ queue, count, messages: page.messages, next_cursor });
    }
    return pages;
  }

  /**
   * Replays the given messages (all when `messageIds` is absent), looking at each message the
   * queue held when it began at most once. `onWindow` hears of each confirmed window.
   */
  async replay(
    queue: string,
    messageIds?: readonly string[],
    onWindow?: (replayed: DeadLetterView[]) => Promise<void>,
  ): Promise<ReplayOutcome> {
    const origin = queue.replace(/\.dlq$/, '');
    const exchange = origin === queues.coordinator ? exchanges.replies : exchanges.commands;
    const wanted = messageIds ? new Set(messageIds) : undefined;
    const outcome: ReplayOutcome = { replayed: 0, messages: [] };
    await this.withChannel(async (channel) => {
      const unseen = (await channel.checkQueue(queue)).messageCount;
      const found = new Set<string>();
      const handle = async (taken: ConsumeMessage[]) => {
        const chosen = taken.filter((m) => !wanted || wanted.has(idOf(m)));
        for (const message of taken) {
          if (chosen.includes(message)) republish(channel, exchange, origin, message, this.userId);
          else channel.sendToQueue(queue, message.content, keptProperties(message, this.userId));
        }
        await channel.waitForConfirms();
        channel.ack(taken[taken.length - 1]!, true);
        const views = chosen.map(deadLetterView);
        chosen.forEach((m) => found.add(idOf(m)));
        await forgetDeadLetters(this.db, queue, [...new Set(views.map((v) => v.message_id))]);
        outcome.replayed += views.length;
        outcome.messages.push(...views.slice(0, SHOWN - outcome.messages.length));
        await onWindow?.(views);
      };
      if (unseen === 0) return;
      await walk(channel, queue, unseen, handle, () => !!wanted && found.size === wanted.size);
    });
    return outcome;
  }

  /** Empties the queue; the mirror forgets what it held then, not what arrived since. */
  async purge(queue: string): Promise<number> {
    const upTo = await lastDeadLetterId(this.db, queue);
    const purged = await this.withChannel(
      async (channel) => (await channel.purgeQueue(queue)).messageCount,
    );
    await forgetQueueUpTo(this.db, queue, upTo);
    return purged;
  }

  private async withChannel<T>(work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    const connection = this.broker.connection;
    if (!connection) throw new BrokerUnavailableError();
    const channel = await connection.createConfirmChannel();
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

const idOf = (message: ConsumeMessage) => String(message.properties.messageId ?? '');

/**
 * Hands the queue's first `budget` messages to `handle`, a window at a time, until `done`. A
 * consumer with a prefetch of one window brings them (a get per message is a round trip, far
 * slower on a quorum queue); what it delivered beyond the budget before it was cancelled is
 * handled too, so that nothing is given back and counted as a delivery.
 */
async function walk(
  channel: ConfirmChannel,
  queue: string,
  budget: number,
  handle: (window: ConsumeMessage[]) => Promise<void>,
  done: () => boolean,
): Promise<void> {
  const arrived: ConsumeMessage[] = [];
  let wake: (() => void) | undefined;
  await channel.prefetch(Math.min(REPLAY_WINDOW, budget));
  const { consumerTag } = await channel.consume(
    queue,
    (message) => {
      if (!message) return;
      arrived.push(message);
      wake?.();
    },
    { noAck: false },
  );
  let consuming = true;
  const stopConsuming = async () => {
    if (consuming) await channel.cancel(consumerTag);
    consuming = false;
  };
  try {
    let left = budget;
    while (left > 0 && !done()) {
      await arrivals(arrived, Math.min(REPLAY_WINDOW, left), (w) => (wake = w));
      if (arrived.length === 0) break; // emptied meanwhile by someone else
      const window = arrived.splice(0, Math.min(REPLAY_WINDOW, left));
      left -= window.length;
      // Before the last window's ack frees the prefetch: the broker would otherwise hand this
      // consumer the messages the walk itself put back at the queue's tail.
      if (left === 0) await stopConsuming();
      await handle(window);
    }
  } finally {
    await stopConsuming();
  }
  // A quorum queue may still hand over a delivery it had under way when the cancel landed.
  await arrivals(arrived, Number.POSITIVE_INFINITY, (w) => (wake = w));
  while (arrived.length > 0) await handle(arrived.splice(0, REPLAY_WINDOW));
}

/** Resolves once `target` messages have arrived, or none has for a while. */
function arrivals(
  arrived: readonly ConsumeMessage[],
  target: number,
  onWake: (wake: () => void) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let idle: NodeJS.Timeout;
    const check = () => {
      clearTimeout(idle);
      if (arrived.length >= target) return resolve();
      idle = setTimeout(resolve, IDLE_MS);
    };
    onWake(check);
    check();
  });
}

function republish(
  channel: ConfirmChannel,
  exchange: string,
  origin: string,
  message: ConsumeMessage,
  userId: string | undefined,
): void {
  channel.publish(exchange, origin, message.content, {
    ...message.properties,
    // Sent again by this account: the broker refuses to carry the original sender's name.
    ...(userId === undefined ? {} : { userId }),
    persistent: true,
    // Marked, so that the worker looks up whether the command was answered meanwhile.
    headers: { ...freshHeaders(message.properties.headers ?? {}), [REPLAYED_HEADER]: 1 },
  });
}

/**
 * A message passed over goes back as it was, but sent by our own account: the broker accepts
 * only that as `userId`, and the dead letter was published by another.
 */
function keptProperties(message: ConsumeMessage, userId: string | undefined): Options.Publish {
  const properties: Record<string, unknown> = { ...message.properties, persistent: true };
  delete properties.userId;
  if (userId !== undefined) properties.userId = userId;
  const headers = Object.fromEntries(
    Object.entries(message.properties.headers ?? {}).filter(([k]) => k !== DELIVERY_COUNT_HEADER),
  );
  return { ...properties, headers } as Options.Publish;
}

/** Set by a quorum queue on each delivery; the copy starts its own count. */
const DELIVERY_COUNT_HEADER = 'x-delivery-count';

/** The provenance of the last failure goes; the attempt count starts again. */
const spentHeaders = new Set<string>([
  ATTEMPT_HEADER,
  LAST_ERROR_HEADER,
  h.errorCode,
  h.errorMessage,
]);

function freshHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).filter(([key]) => !spentHeaders.has(key) && !isBrokerDeathHeader(key)),
  );
}
