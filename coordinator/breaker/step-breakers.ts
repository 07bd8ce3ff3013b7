/**
 * The circuit breakers of the coordinator's steps. Outcomes heard from the workers feed a pure
 * policy per step; its changes are written to `step_breakers`, which every coordinator reads
 * on each run of its loop, so a step paused by one (or by an operator) is paused for all.
 *
 * While a step is not closed its commands stay in the outbox: the fast path and the relay skip
 * them, and the timeout sweeper leaves its sagas alone, so waiting costs no attempt. Half-open
 * lets a few of them through as probes; once those succeed the backlog is released at a bounded,
 * jittered rate, and the step closes when none is left.
 */
import { Database } from '../../lib/db';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { commandQueueOf } from '../../lib/messaging/topology';
import { Step, steps } from '../../sagas/contracts/envelope';
import { releaseHeld } from '../repositories/held-commands';
import { StepBreakerRow, readBreakers, writeBreaker } from '../repositories/step-breakers';
import {
  BreakerChange,
  BreakerSettings,
  BreakerState,
  StepBreakerPolicy,
  StepOutcome,
} from './policy';

export interface StepBreakersOptions extends BreakerSettings {
  enabled: boolean;
  releasePerSecond: number;
  stepTimeoutMs: number;
  intervalMs?: number;
  now?: () => number;
  random?: () => number;
  onChange?: (step: Step, change: BreakerChange, actor: string) => void;
  /** After this coordinator opened a step's breaker (e.g. to park the sagas it just lost). */
  onOpened?: (step: Step) => Promise<void>;
  onError?: (error: unknown) => void;
}

export interface StepView {
  step: Step;
  state: BreakerState;
  failure_rate: number | null;
  actor: string | null;
  reason: string | null;
  changed_at: string | null;
}

const SYSTEM_ACTOR = 'circuit-breaker';

export class StepBreakers {
  private readonly policies = new Map<Step, StepBreakerPolicy>();
  private rows = new Map<string, StepBreakerRow>();
  /** Probes released in the half-open spell that began at `since` (its changed_at). */
  private readonly probesSent = new Map<Step, { since: number; sent: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly db: Database,
    private readonly publisher: ConfirmPublisher,
    private readonly options: StepBreakersOptions,
  ) {
    for (const step of steps) this.policies.set(step, new StepBreakerPolicy(options));
  }

  /** The state this coordinator last read or wrote for a step. */
  stateOf(step: Step): BreakerState {
    return this.rows.get(step)?.state ?? 'closed';
  }

  /** Whether a step's commands must stay in the outbox. */
  isHeld(step: Step): boolean {
    return this.stateOf(step) !== 'closed';
  }

  /** Routing keys of every held step: the relay leaves their rows to the release. */
  heldRoutingKeys(): string[] {
    return steps.filter((step) => this.isHeld(step)).map((step) => commandQueueOf(step));
  }

  heldSteps(): Step[] {
    return steps.filter((step) => this.isHeld(step));
  }

  views(): StepView[] {
    return steps.map((step) => {
      const row = this.rows.get(step);
      return {
        step,
        state: row?.state ?? 'closed',
        failure_rate: row?.failure_rate ?? null,
        actor: row?.actor ?? null,
        reason: row?.reason ?? null,
        changed_at: row ? row.changed_at.toISOString() : null,
      };
    });
  }

  /** Records outcomes heard from a step's worker; persists a change they cause. */
  async observe(outcomes: ReadonlyArray<{ step: Step; outcome: StepOutcome }>): Promise<void> {
    if (!this.options.enabled) return;
    const now = this.now();
    for (const { step, outcome } of outcomes) {
      const change = this.policies.get(step)!.observe(outcome, now);
      if (change) await this.persist(step, change);
    }
  }

  /** An operator's pause: holds until an operator resumes it. */
  async pause(step: Step, actor: string, reason: string): Promise<void> {
    await this.write(step, { to: 'paused' }, actor, reason, [
      'closed',
      'open',
      'half_open',
      'releasing',
      'paused',
    ]);
  }

  /** An operator's resume: the backlog is released gradually, whatever the state was. */
  async resume(step: Step, actor: string, reason: string): Promise<void> {
    await this.write(step, { to: 'releasing' }, actor, reason, ['open', 'half_open', 'paused']);
  }

  start(): void {
    this.stopped = false;
    const schedule = () => {
      if (this.stopped) return;
      // Jittered, so coordinators releasing the same backlog do not do it in step.
      const base = this.options.intervalMs ?? 250;
      const delay = base * (0.75 + 0.5 * this.random());
      this.timer = setTimeout(() => {
        this.running = this.runOnce()
          .catch((error: unknown) => this.options.onError?.(error))
          .finally(() => {
            this.running = undefined;
            schedule();
          });
      }, delay);
    };
    schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Reads the shared states, moves open steps to half-open in time, releases held commands. */
  async runOnce(): Promise<void> {
    await this.refresh();
    const now = this.now();
    for (const step of steps) {
      const change = this.policies.get(step)!.tick(now);
      if (change) await this.persist(step, change);
      await this.release(step);
    }
  }

  /** Reads the shared states into this coordinator. */
  async refresh(): Promise<void> {
    const rows = await readBreakers(this.db);
    this.rows = new Map(rows.map((row) => [row.step, row]));
    for (const step of steps) {
      const row = this.rows.get(step);
      const policy = this.policies.get(step)!;
      if (row && row.state !== policy.state) policy.adopt(row.state, row.changed_at.getTime());
    }
  }

  private async release(step: Step): Promise<void> {
    const state = this.stateOf(step);
    const release = {
      step,
      routingKey: commandQueueOf(step),
      stepTimeoutMs: this.options.stepTimeoutMs,
    };
    if (state === 'half_open') {
      // Each half-open spell gets its own probes, however the step got there.
      const since = this.rows.get(step)!.changed_at.getTime();
      const spell = this.probesSent.get(step);
      const sent = spell?.since === since ? spell.sent : 0;
      if (sent >= this.options.probes) return;
      const count = await releaseHeld(this.db, this.publisher, {
        ...release,
        limit: this.options.probes - sent,
      });
      this.probesSent.set(step, { since, sent: sent + count });
    } else if (state === 'releasing') {
      const perRun = (this.options.releasePerSecond * (this.options.intervalMs ?? 250)) / 1000;
      const limit = Math.max(1, Math.round(perRun));
      const count = await releaseHeld(this.db, this.publisher, { ...release, limit });
      if (count < limit)
        await this.write(step, { to: 'closed' }, SYSTEM_ACTOR, 'backlog released', ['releasing']);
    }
  }

  private async persist(step: Step, change: BreakerChange): Promise<void> {
    const from: Record<BreakerState, BreakerState[]> = {
      open: ['closed', 'releasing', 'half_open'],
      half_open: ['open'],
      releasing: ['half_open'],
      closed: ['releasing'],
      paused: [],
    };
    const reason =
      change.to === 'open'
        ? `failure rate ${Math.round((change.failureRate ?? 0) * 100)} %`
        : change.to === 'half_open'
          ? 'probing'
          : 'probes succeeded';
    await this.write(step, change, SYSTEM_ACTOR, reason, from[change.to]);
  }

  private async write(
    step: Step,
    change: BreakerChange,
    actor: string,
    reason: string,
    from: readonly BreakerState[],
  ): Promise<void> {
    const written = await writeBreaker(this.db, {
      step,
      state: change.to,
      failureRate: change.failureRate,
      actor,
      reason,
      from,
    });
    if (written) this.options.onChange?.(step, change, actor);
    // Whether written or overtaken, what is stored now is what counts.
    await this.refresh();
    if (written && change.to === 'open') await this.options.onOpened?.(step);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private random(): number {
    return (this.options.random ?? Math.random)();
  }
}
