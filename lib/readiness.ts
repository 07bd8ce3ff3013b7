/**
 * Whether a service can take work now, and if not, what it waits for. A service is ready only
 * once every start step is done (migrations, topology, seeding, consumers) and both of its
 * connections are up; it stops being ready the moment it begins to stop, so a load balancer
 * drains it before its consumers close.
 */

export interface ReadinessProbes {
  /** Resolves when PostgreSQL answers; rejects with the reason otherwise. */
  database(): Promise<void>;
  broker(): boolean;
}

export type ReadinessStatus = { ready: true } | { ready: false; waitingFor: string[] };

export class Readiness {
  private step: string | undefined = 'start';
  private stopping = false;

  constructor(private readonly probes: ReadinessProbes) {}

  /** The start step under way, as an operator reads it ("database migrations of orders"). */
  waitFor(step: string): void {
    if (!this.stopping) this.step = step;
  }

  /** Every start step is done: from now on only the connections decide. */
  started(): void {
    if (!this.stopping) this.step = undefined;
  }

  stop(): void {
    this.stopping = true;
    this.step = 'stopping';
  }

  async status(): Promise<ReadinessStatus> {
    if (this.step !== undefined) return { ready: false, waitingFor: [this.step] };
    const waitingFor: string[] = [];
    if (!this.probes.broker()) waitingFor.push('RabbitMQ connection');
    try {
      await this.probes.database();
    } catch (error) {
      waitingFor.push(`PostgreSQL connection (${(error as Error).message})`);
    }
    return waitingFor.length === 0 ? { ready: true } : { ready: false, waitingFor };
  }
}
