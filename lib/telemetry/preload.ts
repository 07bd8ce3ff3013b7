/**
 * Starts tracing before the modules it instruments are loaded: imported first by each
 * service's entry point. With tracing off it loads nothing from the SDK.
 */
import { loadConfig } from '../config';
import { enableSpans } from './spans';

let stop: (() => Promise<void>) | undefined;

/** Starts the SDK when OTEL_EXPORTER_OTLP_ENDPOINT is set; `service` names it by default. */
export function preloadTracing(service: string): void {
  let telemetry;
  try {
    telemetry = loadConfig().telemetry;
  } catch {
    // A bad setting is reported by the service's own start, with its exit code.
    return;
  }
  if (!telemetry.otlpEndpoint) return;
  // Synchronous on purpose: the instrumentations must patch http, express and pg before the
  // entry point's own imports load them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./sdk') as typeof import('./sdk');
  stop = sdk.startTracing({ serviceName: telemetry.serviceName || `order-saga-${service}` });
  // Here, not in the SDK module: a bundled service has its own copy of the spans module, and
  // this is the one its code reads.
  enableSpans();
}

/** Flushes and stops the SDK, if one was started; the last spans of a stopping service. */
export async function stopTracing(): Promise<void> {
  await stop?.();
}
