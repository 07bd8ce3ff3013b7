/**
 * winston logs: one stable message per line, ids as fields (saga_id, order_id, ...). JSON by
 * default, for log collectors; `pretty` for a person at a terminal.
 */
import winston from 'winston';
import { LogFormat, prettyLine } from './log-format';
import { BatchedConsoleTransport } from './log-output';
import { traceIdOfSaga } from './telemetry/spans';

export type Logger = winston.Logger;

export function createLogger(service: string, level = 'info', format: LogFormat = 'json'): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { service },
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      orderTrace(),
      format === 'pretty'
        ? winston.format.printf((info) => prettyLine(info))
        : winston.format.json(),
    ),
    transports: [new BatchedConsoleTransport()],
  });
}

/**
 * Every line about a saga names its trace: an order's trace id is its saga id (see
 * lib/telemetry/spans.ts), so a log search and a trace viewer meet on one value.
 */
const orderTrace = winston.format((info) => {
  if (typeof info.saga_id === 'string' && info.trace_id === undefined)
    info.trace_id = traceIdOfSaga(info.saga_id);
  return info;
});

/** A logger that drops everything, for tests that assert on behaviour rather than logs. */
export function createSilentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console()] });
}

/** Error details fit for a log line or a message header: never the whole object graph. */
export function describeError(error: unknown): { error: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { error: error.message, code } : { error: error.message };
  }
  return { error: String(error) };
}
