/**
 * Where each timeline event goes in the lanes picture (pure, no DOM). Two scales: `time`, where
 * distance is elapsed time (what an operator reads latency and waits from), and `order`, where
 * events are evenly spaced (readable when a long wait, e.g. hours STUCK, squeezes the rest).
 * Events close together in one lane are stacked in rows instead of drawn over each other.
 */
import { formatDuration } from '../format';
import type { TimelineEvent } from '../api/types';
import { Attempt, Lane, Tone, attemptsOf, laneOf, lanes, toneOf } from './model';

export type Scale = 'time' | 'order';

export const MAX_ROWS = 3;
/** Markers closer than this (px) in one lane go to the next row. */
export const MIN_GAP = 14;

export interface PlacedEvent {
  event: TimelineEvent;
  lane: Lane;
  tone: Tone;
  x: number;
  row: number;
}

export interface PlacedAttempt {
  attempt: Attempt;
  x1: number;
  x2: number;
}

export interface Tick {
  x: number;
  label: string;
}

export interface Layout {
  lanes: Lane[];
  markers: PlacedEvent[];
  attempts: PlacedAttempt[];
  ticks: Tick[];
}

export interface LayoutOptions {
  /** Width of the plotting area, in px. */
  width: number;
  scale: Scale;
  /** While the saga runs: the current time (ms), so a command still waiting reaches "now". */
  now?: number;
  padding?: number;
}

export function layoutTimeline(events: readonly TimelineEvent[], options: LayoutOptions): Layout {
  const padding = options.padding ?? 12;
  const usable = Math.max(1, options.width - 2 * padding);
  const times = events.map((e) => new Date(e.at).getTime());
  const start = times.length ? Math.min(...times) : 0;
  const end = Math.max(start, ...times, options.now ?? start);
  const span = Math.max(end - start, 1);
  const xOfTime = (t: number) => padding + ((t - start) / span) * usable;
  const xOfIndex = (i: number) =>
    events.length <= 1 ? padding + usable / 2 : padding + (i / (events.length - 1)) * usable;

  const lastInRow = new Map<Lane, number[]>();
  const markers = events.map((event, i): PlacedEvent => {
    const lane = laneOf(event);
    const x = options.scale === 'time' ? xOfTime(times[i]!) : xOfIndex(i);
    const rows = lastInRow.get(lane) ?? [];
    let row = rows.findIndex((last) => x - last >= MIN_GAP);
    if (row < 0) row = rows.length < MAX_ROWS ? rows.length : MAX_ROWS - 1;
    rows[row] = x;
    lastInRow.set(lane, rows);
    return { event, lane, tone: toneOf(event), x, row };
  });

  const xBySeq = new Map(markers.map((m) => [m.event.seq, m.x]));
  const openEnd =
    options.scale === 'time' && options.now !== undefined ? xOfTime(end) : padding + usable;
  const attempts = attemptsOf(events).map((attempt) => ({
    attempt,
    x1: xBySeq.get(attempt.startSeq) ?? padding,
    x2: attempt.endSeq === undefined ? openEnd : (xBySeq.get(attempt.endSeq) ?? openEnd),
  }));

  const used = new Set(markers.map((m) => m.lane));
  return {
    // Operators and the fraud check (sagas of version 2 on) get a lane only when they appear.
    lanes: lanes.filter((lane) => (lane !== 'operator' && lane !== 'risk') || used.has(lane)),
    markers,
    attempts,
    ticks: options.scale === 'time' && events.length > 0 ? ticks(span, xOfTime, start) : [],
  };
}

const niceSteps = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000,
  300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

function ticks(span: number, xOfTime: (t: number) => number, start: number): Tick[] {
  const step =
    niceSteps.find((s) => span / s <= 8) ?? 86_400_000 * Math.ceil(span / 86_400_000 / 8);
  const result: Tick[] = [];
  for (let offset = 0; offset <= span; offset += step) {
    result.push({
      x: xOfTime(start + offset),
      label: offset === 0 ? '0' : `+${formatDuration(offset)}`,
    });
  }
  return result;
}
