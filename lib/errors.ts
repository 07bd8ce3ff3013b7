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

/**
 * PostgreSQL refusing this user or its rights: no such role (28000), a wrong password (28P01),
 * no right to create the database (42501), no database to connect to (3D000).
 */
const refusedByPostgres = new Set(['28000', '28P01', '42501', '3D000']);

/**
 * The database or the broker refuses these credentials or this user's rights. Unlike a lost
 * connection this is not transient: nothing changes until an operator fixes the configuration.
 * amqplib's handshake errors carry no code, only the broker's reply text: ACCESS_REFUSED for a
 * login, NOT_ALLOWED for a virtual host the user may not open (or that does not exist).
 */
export function isAccessRefused(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && refusedByPostgres.has(code)) return true;
  return /\bACCESS[_-]REFUSED\b|\bNOT_ALLOWED\b/.test(error.message);
}

/** OpenSSL's verification failures, as Node names them on a TLS socket's error. */
const untrustedCertificateCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The server's certificate failed verification: not from a trusted CA, expired, or not naming
 * the host. Like a refused login, retrying cannot fix it; the CA setting or the server's
 * certificate must change.
 */
export function isCertificateUntrusted(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && untrustedCertificateCodes.has(code);
}
