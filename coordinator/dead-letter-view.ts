/**
 * What an operator sees of a dead letter, read from the headers its dead-lettering wrote (or,
 * for one the broker dead-lettered itself, from the broker's own header).
 */
import type { MessageProperties } from 'amqplib';
import { FIRST_DEATH_REASON_HEADER, deadLetterHeaders as h } from '../lib/messaging/headers';

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

export function deadLetterView(message: { properties: MessageProperties }): DeadLetterView {
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
