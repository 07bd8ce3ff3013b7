/**
 * Spans for the saga's own steps, through `@opentelemetry/api` only: whichever SDK the
 * composition root registered (or none) receives them. Every helper returns at once while
 * tracing is off, so the hot path pays one boolean test and allocates nothing.
 *
 * An order's trace id is its saga id (see `traceIdOfSaga`): anything that knows the saga — a
 * message, a timeout row, an operator action — can put its span in the order's trace.
 */
import {
  Attributes,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  Tracer,
  context,
  trace,
} from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';

export { SpanKind } from '@opentelemetry/api';
export type { Span } from '@opentelemetry/api';

/**
 * The tracer once an SDK has started, undefined while tracing is off. Asked of the API only
 * then, so that it is the SDK's tracer even when this module and the SDK load two copies of the
 * API (a service bundle has its own): a tracer asked for before the SDK registered stays a
 * stand-in of its own copy.
 */
let tracer: Tracer | undefined;

/** Called once by the module that started an SDK; until then every helper is a no-op. */
export function enableSpans(on = true): void {
  tracer = on ? trace.getTracer('order-saga-engine') : undefined;
}

export function spansEnabled(): boolean {
  return tracer !== undefined;
}

/** The saga id as a W3C trace id: both are 128 bits. */
export function traceIdOfSaga(sagaId: string): string {
  return sagaId.replace(/-/g, '');
}

/** The inverse: a fresh trace id as the id of the saga it starts. */
export function sagaIdOfTrace(traceId: string): string {
  return `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20)}`;
}

/**
 * A traceparent in the saga's trace for work no message leads to (a timeout, an operator's
 * action): its parent span id is made up, so such spans hang off the trace by its id.
 */
export function sagaTraceparent(sagaId: string): string {
  return `00-${traceIdOfSaga(sagaId)}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`;
}

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * A span continuing `traceparent` (a remote parent), or undefined when tracing is off. With
 * `linkActive`, a span active now in another trace (an operator's request acting on a saga) is
 * linked to it; elsewhere the active span may be an unrelated order's request that happened to
 * start a shared batch, so no link is made.
 */
export function startSpan(
  name: string,
  traceparent: string | undefined,
  kind: SpanKind,
  attributes: Attributes = {},
  linkActive = false,
): Span | undefined {
  const current = tracer;
  if (!current) return undefined;
  const match = traceparent ? traceparentPattern.exec(traceparent) : null;
  const parent = match
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: match[1]!,
        spanId: match[2]!,
        traceFlags: parseInt(match[3]!, 16) & TraceFlags.SAMPLED,
        isRemote: true,
      })
    : context.active();
  const active = linkActive ? trace.getActiveSpan()?.spanContext() : undefined;
  const links =
    match && active && active.traceId !== match[1] && trace.isSpanContextValid(active)
      ? [{ context: active }]
      : undefined;
  return current.startSpan(name, { kind, attributes, links }, parent);
}

/** A child of the span active now (e.g. an HTTP request's), or undefined when off. */
export function startChildSpan(
  name: string,
  kind: SpanKind,
  attributes: Attributes = {},
): Span | undefined {
  return tracer?.startSpan(name, { kind, attributes });
}

/** The traceparent that makes a message's consumer a child of `span`. */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** Runs `work` with `span` active, so spans the libraries make inside it become its children. */
export function withSpan<T>(span: Span | undefined, work: () => T): T {
  if (!span) return work();
  return context.with(trace.setSpan(context.active(), span), work);
}

/** Ends a span, marking it failed when `error` is given. */
export function endSpan(span: Span | undefined, error?: unknown): void {
  if (!span) return;
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(errorMessage(error)) });
  }
  span.end();
}

/**
 * The trace of the request being served, when it starts one of its own (it carried no
 * traceparent): a saga created by it takes the trace id as its id, so the request's span is
 * the root of the order's trace. Undefined when tracing is off or the caller's trace goes on.
 */
export function requestTrace(
  carriedTraceparent: boolean,
): { sagaId: string; traceparent: string } | undefined {
  if (!tracer || carriedTraceparent) return undefined;
  const span = trace.getActiveSpan();
  if (!span || !span.isRecording()) return undefined;
  return { sagaId: sagaIdOfTrace(span.spanContext().traceId), traceparent: traceparentOf(span) };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
