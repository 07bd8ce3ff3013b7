/**
 * Where a command goes when it cannot be handled now. A technical failure is republished to a
 * delayed-retry queue (its TTL dead-letters it back to the work queue) with the attempt count in
 * a header; once the retries are spent, or at once for a poison message, it is published to the
 * dead-letter exchange with its provenance, which feeds the queue's DLQ and the coordinator.
 */
import type { ConsumeMessage } from 'amqplib';
import { ATTEMPT_HEADER } from '../../lib/messaging/headers';
import { OutgoingMessage } from '../../lib/messaging/publisher';
import { deadLetterQueueOf, exchanges, retryQueueOf } from '../../lib/messaging/topology';

const MAX_ERROR_MESSAGE = 512;

export interface RetryPolicy {
  maxRetryAttempts: number;
  retryDelaySeconds: number;
}

export interface FailureInfo {
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

/** RETRY_DELAY_SECONDS × 2^(retry−1), spread ±20 % so retries of a burst do not align. */
export function retryDelayMs(policy: RetryPolicy, retry: number, random = Math.random): number {
  const base = policy.retryDelaySeconds * 1000 * 2 ** (retry - 1);
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

export type FailureRoute =
  | { kind: 'retry'; message: OutgoingMessage; retry: number; delayMs: number }
  | { kind: 'dead-letter'; message: OutgoingMessage };

export function routeTechnicalFailure(
  message: ConsumeMessage,
  queue: string,
  policy: RetryPolicy,
  failure: FailureInfo,
): FailureRoute {
  const attempt = deliveryAttempt(message);
  if (attempt > policy.maxRetryAttempts) {
    return { kind: 'dead-letter', message: deadLetter(message, queue, attempt, failure) };
  }
  const delayMs = retryDelayMs(policy, attempt);
  const republished = copyOf(message, exchanges.retries, retryQueueOf(queue, attempt), {
    [ATTEMPT_HEADER]: attempt + 1,
    'x-last-error': truncate(failure.message),
  });
  return {
    kind: 'retry',
    retry: attempt,
    delayMs,
    message: { ...republished, expiration: delayMs },
  };
}

export function deadLetter(
  message: ConsumeMessage,
  queue: string,
  attempts: number,
  failure: FailureInfo,
): OutgoingMessage {
  return copyOf(message, exchanges.deadLetters, queue, {
    'x-origin-queue': queue,
    'x-dead-letter-queue': deadLetterQueueOf(queue),
    'x-saga-id': failure.sagaId ?? '',
    'x-order-id': failure.orderId ?? '',
    'x-step': failure.step ?? '',
    'x-command': failure.command ?? '',
    'x-attempts': attempts,
    'x-error-code': failure.code,
    'x-error-message': truncate(failure.message),
    'x-dead-lettered-at': new Date().toISOString(),
  });
}

function copyOf(
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

/** The broker's own dead-letter history is not ours to resend. */
function withoutBrokerHeaders(
  headers: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter(([key]) => !/^x-(first-|last-)?death/.test(key)),
  );
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE - 1)}…` : text;
}
