/**
 * Exit codes of a service that restarting cannot help: the `npm start` supervisor stops the
 * whole system on either instead of restarting the service in a loop.
 */
export const exitCodes = {
  /** EX_CONFIG: a bad setting, or credentials the database or the broker refuse. */
  configuration: 78,
  /** The HTTP port is taken, e.g. by a copy of the service already running (EADDRINUSE on Linux). */
  portInUse: 98,
} as const;

export const permanentExitCodes: readonly number[] = Object.values(exitCodes);
