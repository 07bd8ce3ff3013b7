/**
 * Turns a decider's command intents into outbox rows: the message envelope with fresh
 * message ids, a W3C traceparent derived from the saga, and the command's routing key.
 */
import { randomUUID } from 'node:crypto';
import { OutgoingMessage } from '../lib/messaging/publisher';
import { commandQueueOfStep, exchanges } from '../lib/messaging/topology';
import { Envelope } from '../sagas/contracts/envelope';
import { CommandIntent } from '../sagas/order/decide';

export interface OutboxRow {
  message_id: string;
  exchange: string;
  routing_key: string;
  type: string;
  body: string;
  headers: Record<string, string>;
}

/** What the publisher sends for an outbox row: every path that publishes rows sends the same. */
export function outgoingMessage(row: OutboxRow): OutgoingMessage {
  return {
    exchange: row.exchange,
    routingKey: row.routing_key,
    body: Buffer.from(row.body),
    messageId: row.message_id,
    type: row.type,
    headers: row.headers,
  };
}

export interface SagaIdentity {
  sagaId: string;
  orderId: string;
}

/** All commands of one saga share its trace: the saga id is a 128-bit id already. */
export function traceparentOf(sagaId: string): string {
  return `00-${sagaId.replace(/-/g, '')}-${spanId()}-01`;
}

/** randomUUID draws from a cached pool; randomBytes would ask the kernel for every message. */
function spanId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

export function commandRow(
  saga: SagaIdentity,
  intent: CommandIntent,
  causationId: string | null,
  occurredAt: string,
  extraHeaders: Record<string, string> = {},
): OutboxRow {
  const envelope: Envelope = {
    message_id: randomUUID(),
    type: intent.type,
    saga_id: saga.sagaId,
    order_id: saga.orderId,
    step: intent.step,
    attempt: intent.attempt,
    correlation_id: saga.sagaId,
    causation_id: causationId,
    occurred_at: occurredAt,
    data: intent.data,
  };
  return {
    message_id: envelope.message_id,
    exchange: exchanges.commands,
    routing_key: commandQueueOfStep[intent.step]!,
    type: intent.type,
    body: JSON.stringify(envelope),
    headers: { traceparent: traceparentOf(saga.sagaId), ...extraHeaders },
  };
}
