/**
 * Where a command goes when it cannot be handled now. A technical failure is republished to a
 * delayed-retry queue (its TTL dead-letters it back to the work queue) with the attempt count in
 * a header; once the retries are spent, or at once for a poison message, it is published to the
 * dead-letter exchange with its provenance, which feeds the queue's DLQ and the coordinator.
 */
import type { ConsumeMessage } from 'amqplib';
import {
  Provenance,
  copyOf,
  deadLetterOf,
  deliveryAttempt,
  truncateError,
} from '../../lib/messaging/dead-letter';
import { ATTEMPT_HEADER, LAST_ERROR_HEADER } from '../../lib/messaging/headers';
import { OutgoingMessage } from '../../lib/messaging/publisher';
import { exchanges, retryQueueOf } from '../../lib/messaging/topology';
import { RetryPolicy, retryDelayMs } from '../../lib/retry-schedule';

export { deliveryAttempt };

export type FailureRoute =
  | { kind: 'retry'; message: OutgoingMessage; retry: number; delayMs: number }
  | { kind: 'dead-letter'; message: OutgoingMessage };

export function routeTechnicalFailure(
  message: ConsumeMessage,
  queue: string,
  policy: RetryPolicy,
  failure: Provenance,
): FailureRoute {
  const attempt = deliveryAttempt(message);
  if (attempt > policy.maxRetryAttempts) {
    return { kind: 'dead-letter', message: deadLetterOf(message, queue, attempt, failure) };
  }
  const delayMs = retryDelayMs(policy, attempt);
  const republished = copyOf(message, exchanges.retries, retryQueueOf(queue, attempt), {
    [ATTEMPT_HEADER]: attempt + 1,
    [LAST_ERROR_HEADER]: truncateError(failure.message),
  });
  return {
    kind: 'retry',
    retry: attempt,
    delayMs,
    message: { ...republished, expiration: delayMs },
  };
}
