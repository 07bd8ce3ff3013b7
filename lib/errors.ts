/**
 * Failures that cross module boundaries. A transient failure (a lost connection, a restarting
 * database) is worth retrying as it is; anything else is a fault in the message or the code.
 */

const transientCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && transientCodes.has(code)) return true;
  return /Connection terminated|connection is closed|Timeout acquiring a connection|Client has encountered a connection error|Channel closed|Connection closed|not connected/i.test(
    error.message,
  );
}

/** Thrown where a message can never be processed, however often it is retried. */
export class PoisonMessageError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}
