/**
 * Several rounds of the closed loop, each beside a run of the floor, summed up. A machine's
 * speed drifts within minutes as well as from day to day: a floor measured a minute before our
 * run can meet a faster or slower machine than ours did. Alternating the two and taking the
 * median of each round's ratio keeps one slow stretch from deciding the comparison.
 */
import { BaselineResult } from './baseline';
import { LoopResult } from './closed-loop';
import { round } from './stats';

export interface Round {
  ours: LoopResult;
  floor?: BaselineResult;
}

export type Figures = Pick<LoopResult, 'sagas_per_s' | 'latency_ms' | 'cpu_ms_per_saga'>;

/** Our figures as multiples of the floor's: above 1 is more throughput, or more latency. */
export function ratios(ours: Figures, floor: Figures) {
  return {
    sagas_per_s: round(ours.sagas_per_s / floor.sagas_per_s),
    latency_p50: round(ours.latency_ms.p50 / floor.latency_ms.p50),
    latency_p95: round(ours.latency_ms.p95 / floor.latency_ms.p95),
    latency_p99: round(ours.latency_ms.p99 / floor.latency_ms.p99),
  };
}

export type Ratios = ReturnType<typeof ratios>;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Each figure's median over the rounds (figure by figure, so not one round's own). */
export function medianFigures(runs: readonly Figures[]): Figures {
  const of = (pick: (f: Figures) => number, digits = 2) => round(median(runs.map(pick)), digits);
  return {
    sagas_per_s: of((f) => f.sagas_per_s, 1),
    latency_ms: {
      p50: of((f) => f.latency_ms.p50),
      p95: of((f) => f.latency_ms.p95),
      p99: of((f) => f.latency_ms.p99),
    },
    cpu_ms_per_saga: {
      services: of((f) => f.cpu_ms_per_saga.services, 3),
      postgres: of((f) => f.cpu_ms_per_saga.postgres, 3),
      rabbitmq: of((f) => f.cpu_ms_per_saga.rabbitmq, 3),
      total: of((f) => f.cpu_ms_per_saga.total, 3),
    },
  };
}

function medianOfRatios(each: readonly Ratios[]): Ratios {
  const of = (pick: (r: Ratios) => number) => round(median(each.map(pick)));
  return {
    sagas_per_s: of((r) => r.sagas_per_s),
    latency_p50: of((r) => r.latency_p50),
    latency_p95: of((r) => r.latency_p95),
    latency_p99: of((r) => r.latency_p99),
  };
}

/** One round's own figures, beside the floor's of the same round. */
export interface RoundFigures extends Figures {
  floor?: Figures;
  ratio_to_baseline?: Ratios;
}

export type RoundsSummary = LoopResult & {
  baseline?: Figures & { sagas: number };
  ratio_to_baseline?: Ratios;
  rounds?: RoundFigures[];
};

/**
 * One report for all rounds: a single round as it is; several as the median of each figure,
 * the ratios as the median of each round's own ratio, and every round's figures beside them.
 */
export function summarizeRounds(rounds: readonly Round[]): RoundsSummary {
  const [first] = rounds;
  if (!first) throw new Error('no round was run');
  const floors = rounds.flatMap((r) => (r.floor ? [r.floor] : []));
  const each = rounds.flatMap((r) => (r.floor ? [ratios(r.ours, r.floor)] : []));
  const statuses: Record<string, number> = {};
  for (const { ours } of rounds) {
    for (const [status, count] of Object.entries(ours.statuses)) {
      statuses[status] = (statuses[status] ?? 0) + count;
    }
  }
  const totals = {
    sagas: rounds.reduce((sum, r) => sum + r.ours.sagas, 0),
    seconds: round(rounds.reduce((sum, r) => sum + r.ours.seconds, 0)),
    statuses,
    failures: rounds.reduce((sum, r) => sum + r.ours.failures, 0),
    completed_in_all: rounds.reduce((sum, r) => sum + r.ours.completed_in_all, 0),
  };
  if (rounds.length === 1) {
    return {
      ...first.ours,
      ...(first.floor ? { baseline: first.floor, ratio_to_baseline: each[0]! } : {}),
    };
  }
  const serviceNames = Object.keys(first.ours.service_cpu_ms_per_saga ?? {});
  return {
    ...first.ours,
    ...totals,
    ...medianFigures(rounds.map((r) => r.ours)),
    ...(serviceNames.length > 0
      ? {
          service_cpu_ms_per_saga: Object.fromEntries(
            serviceNames.map((name) => [
              name,
              round(median(rounds.map((r) => r.ours.service_cpu_ms_per_saga?.[name] ?? 0)), 3),
            ]),
          ),
        }
      : {}),
    ...(floors.length > 0
      ? {
          baseline: { ...medianFigures(floors), sagas: floors.reduce((n, f) => n + f.sagas, 0) },
          ratio_to_baseline: medianOfRatios(each),
        }
      : {}),
    rounds: rounds.map((r) => ({
      sagas_per_s: r.ours.sagas_per_s,
      latency_ms: r.ours.latency_ms,
      cpu_ms_per_saga: r.ours.cpu_ms_per_saga,
      ...(r.floor
        ? {
            floor: {
              sagas_per_s: r.floor.sagas_per_s,
              latency_ms: r.floor.latency_ms,
              cpu_ms_per_saga: r.floor.cpu_ms_per_saga,
            },
            ratio_to_baseline: ratios(r.ours, r.floor),
          }
        : {}),
    })),
  };
}
