/**
 * Servers a chaos scenario starts for itself: a scenario that restarts a whole broker or
 * database server, or loses a cluster node, must never do that to the machine's own servers,
 * which other runs (and a developer's `npm start`) share.
 */
export interface OwnServers {
  /**
   * Settings that point the services at these servers (e.g. `RABBITMQ_HOST` with every node of
   * a cluster, `POSTGRES_HOST` and `POSTGRES_PORT` of a server of the scenario's own).
   */
  env: Record<string, string>;
  /** Which of the two the scenario brings; the other is the machine's own. */
  brings: { broker: boolean; database: boolean };
  /** Stops every server process and removes every data directory it made. */
  stop(): Promise<void>;
}
