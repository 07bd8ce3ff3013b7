/**
 * The span of one saga transition: a child of the message that caused it (a worker's reply),
 * or, for a timeout or an operator's action, of the saga's own trace. The commands it sends
 * carry its traceparent, so their publish and their work in the workers hang below it.
 */
import { Span, SpanKind, endSpan, sagaTraceparent, startSpan } from '../lib/telemetry/spans';
import type { SagaEvent } from './saga-runner';
import type { SagaRecord } from './saga-cache';

export function transitionSpan(saga: SagaRecord, incoming: SagaEvent): Span | undefined {
  return startSpan(
    `saga ${incoming.event.type}`,
    incoming.traceparent ?? sagaTraceparent(saga.saga_id),
    SpanKind.INTERNAL,
    {
      'saga.id': saga.saga_id,
      'order.id': saga.order_id,
      'saga.event': incoming.event.type,
      'messaging.message.id': incoming.messageId,
    },
    true,
  );
}

/** Ends a batch's transition spans once its write landed (or failed). */
export function endTransitionSpans(spans: readonly Span[], error?: unknown): void {
  for (const span of spans) endSpan(span, error);
}
