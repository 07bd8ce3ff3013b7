/**
 * Turns due deadlines into events: a step with no reply past its deadline gets a
 * `step.timed_out` (carrying the deadline's token, so a timeout overtaken by a later send is
 * ignored), and a saga STUCK longer than STUCK_TIMEOUT_SECONDS gets `saga.stuck_expired`.
 * Event ids are derived from the deadline, so coordinators sweeping at once agree on them and
 * the inbox applies each only once.
 *
 * A timeout carries what the broker says of the step's command queue at that moment (consumers
 * and ready messages, asked once per queue per sweep): a command nobody has taken yet is waited
 * for, not re-sent. That fact is decided on by the saga, not here.
 *
 * A deadline measures how long a worker takes to answer, so time in which the coordinator could
 * not read answers must not count, nor the grace after it (`outageGraceMs`, one step timeout):
 * - while the database is unreachable (a sweep fails, or the reply consumer holds replies it
 *   cannot apply) nothing fires, and once it is back the replies that piled up are applied
 *   first. Without it, every step whose deadline fell in the outage timed out at the first
 *   sweep, spending an attempt on a command that had been answered;
 * - while the broker cannot be reached, no step deadline is judged: a missing reply then says
 *   nothing about the worker (the command or its reply waits in an outbox), and a re-send could
 *   not leave either. Just after it is back, the outboxes' backlog is still on its way, and a
 *   command not relayed yet looks like one a worker took and dropped.
 * Counting those timeouts turned a restart of either server under load into STUCK sagas.
 */
import { Database } from '../lib/db';
import { isTransientError } from '../lib/errors';
import { QueueFacts, QueueProbe } from '../lib/messaging/queue-probe';
import { commandQueueOfStep } from '../lib/messaging/topology';
import { BatchOvertakenError, SagaEvent, SagaRunner } from './saga-runner';

export interface TimeoutSweeperOptions {
  intervalMs: number;
  stuckTimeoutSeconds: number;
  batchSize?: number;
  onError?: (error: unknown) => void;
  /** Steps paused by their circuit breaker: waiting on them burns no attempt. */
  heldSteps?: () => string[];
  /** True while replies are held back by a database failure (a consumer retrying a batch). */
  repliesHeldBack?: () => boolean;
  /** How long deadlines still wait once the database or the broker answers again. */
  outageGraceMs?: number;
}

export class TimeoutSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** When the database was last seen failing, by a sweep or by the reply consumer. */
  private lastOutageAt: number | undefined;

  constructor(
    private readonly db: Database,
    private readonly runner: SagaRunner,
    private readonly probe: QueueProbe,
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

  /** Sweeps once; returns how many events it handed to the runner (none while recovering). */
  async runOnce(): Promise<number> {
    if (this.recovering()) return 0;
    try {
      return await this.sweep();
    } catch (error) {
      // Overtaken by another coordinator is contention, not an outage.
      if (isTransientError(error) && !(error instanceof BatchOvertakenError))
        this.lastOutageAt = Date.now();
      throw error;
    }
  }

  private recovering(): boolean {
    if (this.options.repliesHeldBack?.()) this.lastOutageAt = Date.now();
    if (this.lastOutageAt === undefined) return false;
    return Date.now() - this.lastOutageAt < (this.options.outageGraceMs ?? 0);
  }

  private async sweep(): Promise<number> {
    const limit = this.options.batchSize ?? 200;
    const dueNow = this.brokerSettled() ? await this.dueDeadlines(limit) : [];
    const { rows: expired } = await this.db.raw<{
      rows: Array<{ saga_id: string; since: string }>;
    }>(
      `SELECT saga_id, stuck_since::text AS since FROM sagas
       WHERE status = 'STUCK' AND stuck_since <= now() - make_interval(secs => ?)
       ORDER BY stuck_since LIMIT ?`,
      [this.options.stuckTimeoutSeconds, limit],
    );
    const facts = await this.queueFacts(dueNow.map(({ step }) => step));
    // The connection may have dropped while the queues were asked.
    const due = this.brokerSettled() ? dueNow : [];
    const events: SagaEvent[] = [
      ...due.map(({ saga_id, deadline_token, step }) => {
        const queue = step ? facts.get(step) : undefined;
        return {
          sagaId: saga_id,
          messageId: `timeout:${saga_id}:${deadline_token}`,
          event: {
            type: 'step.timed_out' as const,
            data: queue ? { token: deadline_token, queue } : { token: deadline_token },
          },
        };
      }),
      ...expired.map(({ saga_id, since }) => ({
        sagaId: saga_id,
        messageId: `stuck-expired:${saga_id}:${since}`,
        event: { type: 'saga.stuck_expired' as const, data: {} },
      })),
    ];
    if (events.length > 0) await this.runner.handle(events);
    return events.length;
  }

  private brokerSettled(): boolean {
    const reachableForMs = this.probe.reachableForMs();
    return reachableForMs > 0 && reachableForMs >= (this.options.outageGraceMs ?? 0);
  }

  /** Step deadlines that have passed, oldest first; a step held by its breaker has none. */
  private async dueDeadlines(
    limit: number,
  ): Promise<Array<{ saga_id: string; deadline_token: string; step: string | null }>> {
    const { rows } = await this.db.raw<{
      rows: Array<{ saga_id: string; deadline_token: string; step: string | null }>;
    }>(
      `SELECT saga_id, deadline_token, step FROM sagas
       WHERE deadline_at <= now() AND (step IS NULL OR step <> ALL(?::text[]))
       ORDER BY deadline_at LIMIT ?`,
      [this.options.heldSteps?.() ?? [], limit],
    );
    return rows;
  }

  /** The command queue facts of each step in `steps`, asked once per queue. */
  private async queueFacts(steps: Array<string | null>): Promise<Map<string, QueueFacts>> {
    const facts = new Map<string, QueueFacts>();
    const wanted = [...new Set(steps)].filter(
      (s): s is string => s !== null && s in commandQueueOfStep,
    );
    await Promise.all(
      wanted.map(async (step) => {
        const found = await this.probe.check(commandQueueOfStep[step]!);
        if (found) facts.set(step, found);
      }),
    );
    return facts;
  }
}
