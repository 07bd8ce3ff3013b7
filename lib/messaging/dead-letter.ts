/**
 * Copies of a delivered message for republishing: to a delayed-retry queue, or to the
 * dead-letter exchange with its provenance (origin queue, attempts, error, saga and order),
 * so that every DLQ tells an operator why a message is there, whoever put it there.
 */
import type { ConsumeMessage } from 'amqplib';
import type { RejectReason } from './batch-consumer';
import { ATTEMPT_HEADER, deadLetterHeaders as h, isBrokerDeathHeader } from './headers';
import { ConfirmPublisher, OutgoingMessage } from './publisher';
import { deadLetterQueueOf, exchanges } from './topology';

const MAX_ERROR_MESSAGE = 512;

export interface Provenance {
  code: string;
  message: string;
  sagaId?: string;
  orderId?: string;
  step?: string;
  command?: string;
}

/** Deliveries of this message so far, this one included (1 on the first delivery). */
export function deliveryAttempt(message: ConsumeMessage): number {
  const value = Number(message.properties.headers?.[ATTEMPT_HEADER] ?? 1);
  return Number.isInteger(value) && value > 0 ? value : 1;
}

/**
 * A BatchConsumer's `deadLetter` hook for `queue`: the message a consumer gave up on goes to
 * the dead-letter exchange with its provenance, its saga, order and step read from its body
 * when the body has them (it may be the very thing that could not be parsed).
 */
export function deadLetterVia(publisher: ConfirmPublisher, queue: string) {
  return async (message: ConsumeMessage, reason: RejectReason): Promise<void> => {
    const provenance = { ...reason, ...idsInBody(message) };
    await publisher.publish(deadLetterOf(message, queue, deliveryAttempt(message), provenance));
  };
}

function idsInBody(message: ConsumeMessage): Pick<Provenance, 'sagaId' | 'orderId' | 'step'> {
  let body: unknown;
  try {
    body = JSON.parse(message.content.toString('utf8'));
  } catch {
    return {};
  }
  if (body === null || typeof body !== 'object') return {};
  const field = (name: string) => {
    const value = (body as Record<string, unknown>)[name];
    return typeof value === 'string' ? value.slice(0, 128) : undefined;
  };
  return { sagaId: field('saga_id'), orderId: field('order_id'), step: field('step') };
}

/** The message, dead-lettered from `queue` after `attempts` deliveries, with its provenance. */
export function deadLetterOf(
  message: ConsumeMessage,
  queue: string,
  attempts: number,
  provenance: Provenance,
  now = new Date(),
): OutgoingMessage {
  return copyOf(message, exchanges.deadLetters, queue, {
    [h.originQueue]: queue,
    [h.deadLetterQueue]: deadLetterQueueOf(queue),
    [h.sagaId]: provenance.sagaId ?? '',
    [h.orderId]: provenance.orderId ?? '',
    [h.step]: provenance.step ?? '',
    [h.command]: provenance.command ?? '',
    [h.attempts]: attempts,
    [h.errorCode]: provenance.code,
    [h.errorMessage]: truncateError(provenance.message),
    [h.deadLetteredAt]: now.toISOString(),
  });
}

/** The same body and properties, routed elsewhere with `headers` added. */
export function copyOf(
  message: ConsumeMessage,
  exchange: string,
  routingKey: string,
  headers: Record<string, unknown>,
): OutgoingMessage {
  const { properties } = message;
  return {
    exchange,
    routingKey,
    body: message.content,
    messageId: String(properties.messageId ?? ''),
    type: String(properties.type ?? ''),
    correlationId: properties.correlationId as string | undefined,
    headers: { ...withoutBrokerHeaders(properties.headers), ...headers },
  };
}

/** Error texts travel in headers: bounded, so one huge stack cannot bloat every copy. */
export function truncateError(text: string): string {
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE - 1)}…` : text;
}

/** The broker's own dead-letter history is not ours to resend. */
function withoutBrokerHeaders(
  headers: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter(([key]) => !isBrokerDeathHeader(key)),
  );
}
