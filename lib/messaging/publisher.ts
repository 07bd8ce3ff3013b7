/**
 * Publishes with publisher confirms on a channel that survives reconnects. Publishing many
 * messages and awaiting all their confirms together keeps a window in flight, which is an
 * order of magnitude cheaper than waiting for each confirm in turn.
 *
 * Every message is mandatory unless it says otherwise: a message no queue is bound for (a queue
 * deleted by hand, a wrong binding) is returned by the broker, and its confirm still arrives
 * as an ack. Without this check such a message would count as delivered and be dropped.
 */
import { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, Message } from 'amqplib';
import { BrokerConnection } from './connection';
import {
  Span,
  SpanKind,
  endSpan,
  spansEnabled,
  startSpan,
  traceparentOf,
} from '../telemetry/spans';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  body: Buffer;
  messageId: string;
  type: string;
  correlationId?: string;
  headers?: Record<string, unknown>;
  /** Per-message TTL in ms, used by delayed-retry queues. */
  expiration?: number;
  /**
   * False only where reaching no queue is normal, e.g. a broadcast that nobody listens to yet;
   * otherwise a message the broker cannot route fails its publish.
   */
  mandatory?: boolean;
}

export interface ConfirmPublisherOptions {
  publishTimeoutMs?: number;
  /**
   * The connection's own broker user, stamped on every message as its user-id: the broker
   * refuses any other value, so consumers can trust it to name the sender.
   */
  userId?: string;
  /** Called once for each message the broker returned as unroutable (for metrics). */
  onReturned?: (message: OutgoingMessage) => void;
}

/** The broker confirmed the message but routed it to no queue: it was not delivered. */
export class UnroutableMessageError extends Error {
  readonly code = 'NO_ROUTE';
  constructor(
    readonly messageId: string,
    readonly exchange: string,
    readonly routingKey: string,
  ) {
    super(
      `message ${messageId} was returned unroutable: no queue is bound to ${exchange} for ${routingKey}`,
    );
    this.name = 'UnroutableMessageError';
  }
}

export class ConfirmPublisher {
  private readonly channel: ChannelWrapper;
  /** Mandatory publishes awaiting their confirm, by route; `returned` once the broker said so. */
  private readonly inFlight = new Map<string, { count: number; returned: boolean }>();

  constructor(
    connection: BrokerConnection,
    private readonly options: ConfirmPublisherOptions = {},
  ) {
    this.channel = connection.createChannel({
      confirm: true,
      publishTimeout: options.publishTimeoutMs ?? 15_000,
      // Runs on every (re)connect, so each new channel reports its returns.
      setup: (channel: ConfirmChannel) => {
        channel.on('return', (message: Message) => this.markReturned(message));
      },
    });
  }

  /** Resolves once the broker has confirmed every message; rejects if any was not. */
  async publishAll(messages: readonly OutgoingMessage[]): Promise<void> {
    await Promise.all(messages.map((message) => this.publish(message)));
  }

  /**
   * Publishes one message. A message in a trace (it carries a traceparent) gets a producer span
   * of its own, and its consumer becomes that span's child.
   */
  async publish(message: OutgoingMessage): Promise<void> {
    const span = spansEnabled() ? publishSpan(message) : undefined;
    try {
      await this.confirmed(span ? withTraceparent(message, traceparentOf(span)) : message);
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
    endSpan(span);
  }

  private async confirmed(message: OutgoingMessage): Promise<void> {
    const mandatory = message.mandatory ?? true;
    const key = routeKey(message.messageId, message.exchange, message.routingKey);
    const tracked = mandatory ? this.track(key) : undefined;
    try {
      await this.channel.publish(message.exchange, message.routingKey, message.body, {
        persistent: true,
        mandatory,
        contentType: 'application/json',
        messageId: message.messageId,
        ...(this.options.userId === undefined ? {} : { userId: this.options.userId }),
        type: message.type,
        correlationId: message.correlationId,
        headers: message.headers,
        timestamp: Math.floor(Date.now() / 1000),
        ...(message.expiration === undefined ? {} : { expiration: String(message.expiration) }),
      });
      // The broker sends basic.return before the ack of the same message, so it is known here.
      if (tracked?.returned) {
        this.options.onReturned?.(message);
        throw new UnroutableMessageError(message.messageId, message.exchange, message.routingKey);
      }
    } finally {
      if (tracked) this.untrack(key, tracked);
    }
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  private track(key: string): { count: number; returned: boolean } {
    const entry = this.inFlight.get(key) ?? { count: 0, returned: false };
    entry.count += 1;
    this.inFlight.set(key, entry);
    return entry;
  }

  private untrack(key: string, entry: { count: number; returned: boolean }): void {
    entry.count -= 1;
    if (entry.count === 0 && this.inFlight.get(key) === entry) this.inFlight.delete(key);
  }

  private markReturned(message: Message): void {
    const { exchange, routingKey } = message.fields;
    const key = routeKey(String(message.properties.messageId ?? ''), exchange, routingKey);
    const entry = this.inFlight.get(key);
    if (entry) entry.returned = true;
  }
}

function publishSpan(message: OutgoingMessage): Span | undefined {
  const traceparent = message.headers?.traceparent;
  if (typeof traceparent !== 'string') return undefined;
  return startSpan(`publish ${message.type}`, traceparent, SpanKind.PRODUCER, {
    'messaging.system': 'rabbitmq',
    'messaging.operation.type': 'send',
    'messaging.destination.name': message.exchange,
    'messaging.rabbitmq.destination.routing_key': message.routingKey,
    'messaging.message.id': message.messageId,
  });
}

function withTraceparent(message: OutgoingMessage, traceparent: string): OutgoingMessage {
  return { ...message, headers: { ...message.headers, traceparent } };
}

function routeKey(messageId: string, exchange: string, routingKey: string): string {
  return `${messageId}\u0000${exchange}\u0000${routingKey}`;
}
