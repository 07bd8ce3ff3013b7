/**
 * The circuit breaker of one step, as a pure policy on a clock it is handed (no timers, no
 * I/O): outcomes go in, state changes come out, and the caller persists them.
 *
 *   closed ──failure rate ≥ threshold over the window──▶ open ──after openMs──▶ half_open
 *     ▲                                                   ▲                       │ probes
 *     └──── releasing (backlog drained) ◀── probes all succeeded ─────────────────┤ succeed
 *                                                          └── a probe fails ─────┘
 *   any state ──operator pause──▶ paused ──operator resume──▶ releasing
 *
 * Outcomes are technical: a retry notice or a dead letter is a failure; any reply (a business
 * refusal included) shows the worker and what it calls are up, so it is a success.
 */
export const breakerStates = ['closed', 'open', 'half_open', 'paused', 'releasing'] as const;
export type BreakerState = (typeof breakerStates)[number];

export type StepOutcome = 'success' | 'failure';

export interface BreakerSettings {
  /** Share of failures (0..1] over the window that opens the breaker. */
  failureRate: number;
  /** Fewer outcomes than this in the window never open it: one bad order is not an outage. */
  minOutcomes: number;
  windowMs: number;
  /** How long an open breaker waits before it lets probes through. */
  openMs: number;
  /** Successful probes that close a half-open breaker. */
  probes: number;
}

export interface BreakerChange {
  to: BreakerState;
  /** The failure rate that opened it, when it opens. */
  failureRate?: number;
}

const BUCKETS = 10;

/** Failures and outcomes over a sliding window, in buckets of a tenth of it. */
export class OutcomeWindow {
  private readonly buckets: Array<{ start: number; failures: number; total: number }> = [];

  constructor(private readonly windowMs: number) {}

  add(outcome: StepOutcome, now: number): void {
    const width = this.windowMs / BUCKETS;
    const start = Math.floor(now / width) * width;
    let last = this.buckets[this.buckets.length - 1];
    if (!last || last.start !== start) {
      last = { start, failures: 0, total: 0 };
      this.buckets.push(last);
    }
    last.total += 1;
    if (outcome === 'failure') last.failures += 1;
    this.trim(now);
  }

  totals(now: number): { failures: number; total: number } {
    this.trim(now);
    let failures = 0;
    let total = 0;
    for (const bucket of this.buckets) {
      failures += bucket.failures;
      total += bucket.total;
    }
    return { failures, total };
  }

  clear(): void {
    this.buckets.length = 0;
  }

  private trim(now: number): void {
    while (this.buckets.length > 0 && this.buckets[0]!.start <= now - this.windowMs)
      this.buckets.shift();
  }
}

export class StepBreakerPolicy {
  private current: BreakerState = 'closed';
  private since = 0;
  private probeSuccesses = 0;
  private readonly window: OutcomeWindow;

  constructor(private readonly settings: BreakerSettings) {
    this.window = new OutcomeWindow(settings.windowMs);
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Takes a state decided elsewhere (another coordinator, an operator) as of `since`. */
  adopt(state: BreakerState, since: number): void {
    if (state === this.current) return;
    this.current = state;
    this.since = since;
    this.probeSuccesses = 0;
    // A step that was open starts closed with a clean slate: old failures are the outage's.
    if (state !== 'closed' && state !== 'releasing') this.window.clear();
  }

  /** Records one outcome; returns the change it causes, if any. */
  observe(outcome: StepOutcome, now: number): BreakerChange | undefined {
    switch (this.current) {
      case 'closed':
      case 'releasing': {
        this.window.add(outcome, now);
        const { failures, total } = this.window.totals(now);
        const rate = failures / total;
        if (total < this.settings.minOutcomes || rate < this.settings.failureRate) return undefined;
        return this.move({ to: 'open', failureRate: rate }, now);
      }
      case 'half_open':
        if (outcome === 'failure') return this.move({ to: 'open' }, now);
        this.probeSuccesses += 1;
        return this.probeSuccesses >= this.settings.probes
          ? this.move({ to: 'releasing' }, now)
          : undefined;
      default:
        // Open or paused: nothing is sent, so what still arrives is the outage's tail.
        return undefined;
    }
  }

  /** Lets time pass: an open breaker turns half-open after its wait. */
  tick(now: number): BreakerChange | undefined {
    if (this.current === 'open' && now - this.since >= this.settings.openMs)
      return this.move({ to: 'half_open' }, now);
    return undefined;
  }

  private move(change: BreakerChange, now: number): BreakerChange {
    this.adopt(change.to, now);
    return change;
  }
}
