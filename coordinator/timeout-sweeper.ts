/**
 * Turns due deadlines into events: a step with no reply past its deadline gets a
 * `step.timed_out` (carrying the deadline's token, so a timeout overtaken by a later send is
 * ignored), and a saga STUCK longer than STUCK_TIMEOUT_SECONDS gets `saga.stuck_expired`.
 * Event ids are derived from the deadline, so coordinators sweeping at once agree on them and
 * the inbox applies each only once.
 */
import { Database } from '../lib/db';
import { SagaEvent, SagaRunner } from './saga-runner';

export interface TimeoutSweeperOptions {
  intervalMs: number;
  stuckTimeoutSeconds: number;
  batchSize?: number;
  onError?: (error: unknown) => void;
  /** Steps paused by their circuit breaker: waiting on them burns no attempt. */
  heldSteps?: () => string[];
}

export class TimeoutSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly db: Database,
    private readonly runner: SagaRunner,
    private readonly options: TimeoutSweeperOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sweeps once; returns how many events it handed to the runner. */
  async runOnce(): Promise<number> {
    const limit = this.options.batchSize ?? 200;
    const { rows: due } = await this.db.raw<{
      rows: Array<{ saga_id: string; deadline_token: string }>;
    }>(
      `SELECT saga_id, deadline_token FROM sagas
       WHERE deadline_at <= now() AND (step IS NULL OR step <> ALL(?::text[]))
       ORDER BY deadline_at LIMIT ?`,
      [this.options.heldSteps?.() ?? [], limit],
    );
    const { rows: expired } = await this.db.raw<{
      rows: Array<{ saga_id: string; since: string }>;
    }>(
      `SELECT saga_id, stuck_since::text AS since FROM sagas
       WHERE status = 'STUCK' AND stuck_since <= now() - make_interval(secs => ?)
       ORDER BY stuck_since LIMIT ?`,
      [this.options.stuckTimeoutSeconds, limit],
    );
    const events: SagaEvent[] = [
      ...due.map(({ saga_id, deadline_token }) => ({
        sagaId: saga_id,
        messageId: `timeout:${saga_id}:${deadline_token}`,
        event: { type: 'step.timed_out' as const, data: { token: deadline_token } },
      })),
      ...expired.map(({ saga_id, since }) => ({
        sagaId: saga_id,
        messageId: `stuck-expired:${saga_id}:${since}`,
        event: { type: 'saga.stuck_expired' as const, data: {} },
      })),
    ];
    if (events.length > 0) await this.runner.handle(events);
    return events.length;
  }
}
