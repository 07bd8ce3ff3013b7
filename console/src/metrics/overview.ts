/**
 * The overview's numbers from one scrape of the coordinator's metrics, and the rates between two
 * scrapes. Counters count since the coordinator started; a rate needs two samples in a row.
 */
import { metricNames as m } from './names';
import { Sample, histogramQuantile, samplesOf, sumOf } from './prometheus';

export interface Depth {
  queue: string;
  depth: number;
}

export interface MetricsSnapshot {
  /** When it was read (ms since the epoch). */
  at: number;
  started: number;
  outcomes: Record<string, number>;
  ended: number;
  /** End-to-end seconds of completed orders, since the coordinator started. */
  latency: { p50: number; p95: number; p99: number } | undefined;
  retries: Array<{ step: string; cause: string; count: number }>;
  deadLetters: Depth[];
  queues: Depth[];
  waitingClients: number;
  /** When the coordinator process started (ms since the epoch), if it says. */
  startedAt: number | undefined;
}

export function readSnapshot(samples: readonly Sample[], at: number): MetricsSnapshot {
  const outcomes: Record<string, number> = {};
  for (const s of samplesOf(samples, m.outcomes)) {
    const status = s.labels.status ?? 'unknown';
    outcomes[status] = (outcomes[status] ?? 0) + s.value;
  }
  const quantile = (q: number) =>
    histogramQuantile(samples, m.endToEndSeconds, q, { status: 'COMPLETED' });
  const [p50, p95, p99] = [quantile(0.5), quantile(0.95), quantile(0.99)];
  const depths = (name: string) =>
    samplesOf(samples, name)
      .map((s) => ({ queue: s.labels.queue ?? '?', depth: s.value }))
      .sort((a, b) => a.queue.localeCompare(b.queue));
  return {
    at,
    started: sumOf(samplesOf(samples, m.started)),
    outcomes,
    ended: Object.values(outcomes).reduce((a, b) => a + b, 0),
    latency:
      p50 === undefined || p95 === undefined || p99 === undefined ? undefined : { p50, p95, p99 },
    retries: samplesOf(samples, m.retries).map((s) => ({
      step: s.labels.step ?? '?',
      cause: s.labels.cause ?? '?',
      count: s.value,
    })),
    deadLetters: depths(m.deadLetterDepth),
    queues: depths(m.queueDepth).filter((d) => !d.queue.endsWith('.dlq')),
    waitingClients: sumOf(samplesOf(samples, m.waitingClients)),
    startedAt: startOf(samples),
  };
}

function startOf(samples: readonly Sample[]): number | undefined {
  const [start] = samplesOf(samples, m.processStart);
  return start ? start.value * 1000 : undefined;
}

export interface Rates {
  startedPerSecond: number;
  endedPerSecond: number;
}

/** Average rates since the coordinator started: what there is before a second reading. */
export function ratesSinceStart(snapshot: MetricsSnapshot): Rates | undefined {
  if (snapshot.startedAt === undefined) return undefined;
  const seconds = (snapshot.at - snapshot.startedAt) / 1000;
  if (seconds <= 0) return undefined;
  return { startedPerSecond: snapshot.started / seconds, endedPerSecond: snapshot.ended / seconds };
}

/** Per-second rates between two snapshots; undefined when a counter went back (a restart). */
export function ratesBetween(before: MetricsSnapshot, after: MetricsSnapshot): Rates | undefined {
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0 || after.started < before.started || after.ended < before.ended)
    return undefined;
  return {
    startedPerSecond: (after.started - before.started) / seconds,
    endedPerSecond: (after.ended - before.ended) / seconds,
  };
}
