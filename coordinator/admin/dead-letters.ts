/**
 * Dead-letter queues for operators: list (peek without removing), replay to the origin queue,
 * purge. Replay publishes on a confirm channel and acks the dead letter only once the broker
 * has confirmed the republish, so a message is never in neither place. The replayed message
 * starts a fresh retry budget.
 */
import type { ConfirmChannel, GetMessage } from 'amqplib';
import { BrokerConnection } from '../../lib/messaging/connection';
import {
  ATTEMPT_HEADER,
  REPLAYED_HEADER,
  FIRST_DEATH_REASON_HEADER,
  LAST_ERROR_HEADER,
  deadLetterHeaders as h,
  isBrokerDeathHeader,
} from '../../lib/messaging/headers';
import { deadLetterQueueOf, exchanges, queues } from '../../lib/messaging/topology';

const workQueues = [queues.payment, queues.inventory, queues.shipping, queues.coordinator];
export const deadLetterQueues = workQueues.map(deadLetterQueueOf);

const PEEK_LIMIT = 500;

export interface DeadLetterView {
  message_id: string;
  saga_id: string | null;
  order_id: string | null;
  step: string | null;
  command: string | null;
  reason: string | null;
  attempts: number | null;
  dead_lettered_at: string | null;
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
    /** This connection's broker user, named as the sender of what is replayed. */
    private readonly userId?: string,
  ) {}

  /** Peeks at up to `limit` messages of each queue (all dead-letter queues by default). */
  async list(
    options: { queues?: readonly string[]; limit?: number } = {},
  ): Promise<Array<{ queue: string; count: number; messages: DeadLetterView[] }>> {
    const limit = Math.min(options.limit ?? PEEK_LIMIT, PEEK_LIMIT);
    return this.withChannel(async (channel) => {
      const result = [];
      for (const queue of options.queues ?? deadLetterQueues) {
        const { messageCount } = await channel.checkQueue(queue);
        const peeked = await takeAll(channel, queue, limit);
        channel.nackAll(true);
        result.push({ queue, count: messageCount, messages: peeked.map(view) });
      }
      return result;
    });
  }

  /** Replays the given messages (all when `messageIds` is absent); returns what was replayed. */
  async replay(queue: string, messageIds?: readonly string[]): Promise<DeadLetterView[]> {
    const origin = queue.replace(/\.dlq$/, '');
    const exchange = origin === queues.coordinator ? exchanges.replies : exchanges.commands;
    return this.withChannel(async (channel) => {
      const taken = await takeAll(channel, queue, Number.MAX_SAFE_INTEGER);
      const wanted = new Set(messageIds ?? []);
      const chosen = taken.filter((m) => !messageIds || wanted.has(String(m.properties.messageId)));
      for (const message of chosen) {
        channel.publish(exchange, origin, message.content, {
          ...message.properties,
          // Sent again by this account: the broker refuses to carry the original sender's name.
          ...(this.userId === undefined ? {} : { userId: this.userId }),
          persistent: true,
          // Marked, so that the worker looks up whether the command was answered meanwhile.
          headers: { ...freshHeaders(message.properties.headers ?? {}), [REPLAYED_HEADER]: 1 },
        });
      }
      await channel.waitForConfirms();
      for (const message of chosen) channel.ack(message);
      channel.nackAll(true);
      return chosen.map(view);
    });
  }

  async purge(queue: string): Promise<number> {
    return this.withChannel(async (channel) => (await channel.purgeQueue(queue)).messageCount);
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

/** Takes up to `limit` messages unacked; the caller acks or requeues them. */
async function takeAll(
  channel: ConfirmChannel,
  queue: string,
  limit: number,
): Promise<GetMessage[]> {
  const taken: GetMessage[] = [];
  while (taken.length < limit) {
    const message = await channel.get(queue, { noAck: false });
    if (!message) break;
    taken.push(message);
  }
  return taken;
}

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

function view(message: GetMessage): DeadLetterView {
  const headers = message.properties.headers ?? {};
  const text = (name: string) =>
    headers[name] === undefined || headers[name] === '' ? null : String(headers[name]);
  const code = text(h.errorCode);
  const detail = text(h.errorMessage);
  return {
    message_id: String(message.properties.messageId ?? ''),
    saga_id: text(h.sagaId),
    order_id: text(h.orderId),
    step: text(h.step),
    command: text(h.command) ?? (message.properties.type ? String(message.properties.type) : null),
    reason: code ? `${code}${detail ? `: ${detail}` : ''}` : text(FIRST_DEATH_REASON_HEADER),
    attempts: headers[h.attempts] === undefined ? null : Number(headers[h.attempts]),
    dead_lettered_at: text(h.deadLetteredAt),
  };
}
