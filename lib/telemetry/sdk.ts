/**
 * Builds and starts the OpenTelemetry SDK for one service: OTLP export configured by the
 * standard OTEL_* variables (read by the SDK itself: protocol, headers, sampler, batch sizes),
 * and the HTTP, Express and pg instrumentations. RabbitMQ spans are the runtime's own (see
 * spans.ts): its messages already carry a W3C traceparent, and the amqplib instrumentation
 * would replace that header with one of its own.
 *
 * Loaded only when tracing is on, so a service with tracing off never loads the SDK.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

export interface TracingSettings {
  serviceName: string;
}

/** Starts the SDK and returns its shutdown, which flushes the spans still buffered. */
export function startTracing(settings: TracingSettings): () => Promise<void> {
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    instrumentations: [
      new HttpInstrumentation({
        // Health and metrics scrapes would bury the order traces.
        ignoreIncomingRequestHook: (request) => /^\/(health|ready|metrics)/.test(request.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return () => sdk.shutdown();
}
