/**
 * Message headers the messaging layer reads and writes, named once: the workers write them,
 * the coordinator and the admin API read them back from dead letters.
 */

/** Deliveries of a message across delayed retries, this one included (absent on the first). */
export const ATTEMPT_HEADER = 'x-attempt';
/** The error of the delivery that sent a message to a delayed-retry queue. */
export const LAST_ERROR_HEADER = 'x-last-error';

/** The provenance every dead letter we publish ourselves carries. */
export const deadLetterHeaders = {
  originQueue: 'x-origin-queue',
  deadLetterQueue: 'x-dead-letter-queue',
  sagaId: 'x-saga-id',
  orderId: 'x-order-id',
  step: 'x-step',
  command: 'x-command',
  attempts: 'x-attempts',
  errorCode: 'x-error-code',
  errorMessage: 'x-error-message',
  deadLetteredAt: 'x-dead-lettered-at',
} as const;

/** Written by RabbitMQ when it dead-letters a message itself (expired, rejected, over limit). */
export const FIRST_DEATH_REASON_HEADER = 'x-first-death-reason';

/** `x-death`, `x-first-death-*`, `x-last-death-*`: the broker's own dead-letter history. */
export function isBrokerDeathHeader(name: string): boolean {
  return /^x-(first-|last-)?death/.test(name);
}

/** Set on a dead letter that an operator sent back to its queue. */
export const REPLAYED_HEADER = 'x-replayed';

/** The W3C trace context a message travels in (see lib/telemetry/spans.ts). */
export const TRACEPARENT_HEADER = 'traceparent';

/** A message's traceparent, when it has one. */
export function traceparentIn(message: {
  properties: { headers?: Record<string, unknown> };
}): string | undefined {
  const value = message.properties.headers?.[TRACEPARENT_HEADER];
  return typeof value === 'string' ? value : undefined;
}
