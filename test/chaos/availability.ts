/**
 * How long each service was unavailable during a chaos run: its readiness endpoint is polled
 * while the fault is injected and the load settles, and every stretch in which it did not
 * answer 200 (refused, timed out, or 503 with a reason) is added up. A stretch is measured
 * from the first failed probe to the first good one after it, so the figure is accurate to
 * about one polling interval.
 */
import { ServiceName, System } from '../helpers/system';

const names: ServiceName[] = ['coordinator', 'payment', 'inventory', 'shipping'];

export interface Unavailability {
  /** Milliseconds without a 200 from readiness, per service. */
  totalMs: number;
  /** The longest single stretch, in milliseconds. */
  longestMs: number;
  /** The reasons readiness gave while unavailable, each once. */
  reasons: string[];
}

export class AvailabilityWatch {
  private running = true;
  private readonly watches: Array<Promise<void>>;
  private readonly seen = new Map<ServiceName, Unavailability>();

  constructor(
    private readonly system: System,
    private readonly intervalMs = 100,
  ) {
    this.watches = names.map((name) => this.watch(name));
  }

  /** Stops polling and returns what was seen; a stretch still open at the end counts too. */
  async stop(): Promise<Record<ServiceName, Unavailability>> {
    this.running = false;
    await Promise.all(this.watches);
    return Object.fromEntries(
      names.map((name) => [name, this.seen.get(name) ?? { totalMs: 0, longestMs: 0, reasons: [] }]),
    ) as Record<ServiceName, Unavailability>;
  }

  private async watch(name: ServiceName): Promise<void> {
    const record: Unavailability = { totalMs: 0, longestMs: 0, reasons: [] };
    this.seen.set(name, record);
    let downSince: number | undefined;
    const close = (now: number) => {
      if (downSince === undefined) return;
      const stretch = now - downSince;
      record.totalMs += stretch;
      record.longestMs = Math.max(record.longestMs, stretch);
      downSince = undefined;
    };
    while (this.running) {
      const probedAt = Date.now();
      const problem = await this.probe(name);
      if (problem === undefined) close(Date.now());
      else {
        downSince ??= probedAt;
        if (!record.reasons.includes(problem) && record.reasons.length < 10) {
          record.reasons.push(problem);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
    close(Date.now());
  }

  /** Undefined when ready, otherwise why not. */
  private async probe(name: ServiceName): Promise<string | undefined> {
    try {
      const answer = await fetch(`${this.system.url(name)}/health/ready`, {
        signal: AbortSignal.timeout(1_000),
      });
      if (answer.status === 200) return undefined;
      const body = (await answer.json().catch(() => ({}))) as { detail?: string };
      return body.detail ?? `HTTP ${answer.status}`;
    } catch (error) {
      return (error as Error).name === 'TimeoutError' ? 'no answer within 1 s' : 'not listening';
    }
  }
}

/** `coordinator 2.4 s (longest 2.1 s), payment 0 s, …`: the report's line. */
export function formatUnavailability(seen: Record<string, Unavailability>): string {
  return Object.entries(seen)
    .map(([name, { totalMs, longestMs }]) =>
      totalMs === 0
        ? `${name} 0 s`
        : `${name} ${(totalMs / 1000).toFixed(1)} s (longest ${(longestMs / 1000).toFixed(1)} s)`,
    )
    .join(', ');
}
