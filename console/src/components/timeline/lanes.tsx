/**
 * The saga as a picture: one lane per step (plus the saga itself and the operator), time running
 * left to right. Each command send is a bar from sending to its outcome; each event a marker.
 * The picture is one keyboard stop: arrow keys move between events, Enter opens one below.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TimelineEvent } from '../../api/types';
import { formatClock } from '../../format';
import {
  Layout,
  MAX_ROWS,
  PlacedAttempt,
  PlacedEvent,
  Scale,
  layoutTimeline,
} from '../../timeline/layout';
import { laneLabels, summarize } from '../../timeline/model';
import { ShapeAt, shapeOf } from './shapes';

const LABEL_WIDTH = 92;
const AXIS_HEIGHT = 26;
const ROW_STEP = 13;
const LANE_HEIGHT = ROW_STEP * MAX_ROWS + 12;
const rowOffset = (row: number) => [0, -ROW_STEP, ROW_STEP][row] ?? 0;

export function TimelineLanes({
  events,
  scale,
  now,
  selectedSeq,
  onSelect,
  onActivate,
}: {
  events: TimelineEvent[];
  scale: Scale;
  now: number | undefined;
  selectedSeq: number | undefined;
  onSelect: (seq: number) => void;
  onActivate: (seq: number) => void;
}) {
  const wrapper = useRef<HTMLDivElement>(null);
  const svg = useRef<SVGSVGElement>(null);
  const width = useWidth(wrapper);
  const plotWidth = Math.max(200, width - LABEL_WIDTH);
  const layout = layoutTimeline(events, { width: plotWidth, scale, now });
  const laneY = (lane: string) =>
    AXIS_HEIGHT +
    layout.lanes.indexOf(lane as Layout['lanes'][number]) * LANE_HEIGHT +
    LANE_HEIGHT / 2;
  const height = AXIS_HEIGHT + layout.lanes.length * LANE_HEIGHT + 4;
  const focusSeq = selectedSeq ?? events[0]?.seq;

  const move = (delta: number) => {
    const index = events.findIndex((e) => e.seq === focusSeq);
    const next = events[Math.min(events.length - 1, Math.max(0, index + delta))];
    if (!next) return;
    onSelect(next.seq);
    svg.current?.querySelector<SVGGElement>(`[data-seq="${next.seq}"]`)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowRight: () => move(1),
      ArrowDown: () => move(1),
      ArrowLeft: () => move(-1),
      ArrowUp: () => move(-1),
      Home: () => move(-events.length),
      End: () => move(events.length),
      Enter: () => focusSeq !== undefined && onActivate(focusSeq),
      ' ': () => focusSeq !== undefined && onActivate(focusSeq),
    };
    const handler = keys[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  };

  return (
    <div class="lanes" ref={wrapper}>
      <svg
        ref={svg}
        width={width}
        height={height}
        role="group"
        aria-label="Saga timeline by step. Use the arrow keys to move between events and Enter to open one."
        onKeyDown={onKeyDown}
      >
        {layout.lanes.map((lane, i) => (
          <g key={lane} class={`lane lane-${lane}`}>
            <rect
              class={i % 2 ? 'lane-band odd' : 'lane-band'}
              x={0}
              y={AXIS_HEIGHT + i * LANE_HEIGHT}
              width={width}
              height={LANE_HEIGHT}
            />
            <text class="lane-label" x={10} y={laneY(lane) + 4}>
              {laneLabels[lane]}
            </text>
          </g>
        ))}
        <g transform={`translate(${LABEL_WIDTH},0)`}>
          {layout.ticks.map((tick) => (
            <g key={tick.x} class="tick">
              <line x1={tick.x} x2={tick.x} y1={AXIS_HEIGHT - 4} y2={height} />
              <text x={tick.x} y={AXIS_HEIGHT - 9}>
                {tick.label}
              </text>
            </g>
          ))}
          {scale === 'order' && (
            <text class="axis-note" x={0} y={AXIS_HEIGHT - 9}>
              events in order (not to time scale)
            </text>
          )}
          {layout.attempts.map((placed) => (
            <AttemptBar
              key={placed.attempt.startSeq}
              placed={placed}
              y={laneY(placed.attempt.lane)}
            />
          ))}
          {layout.markers.map((marker) => (
            <Marker
              key={marker.event.seq}
              marker={marker}
              y={laneY(marker.lane) + rowOffset(marker.row)}
              selected={marker.event.seq === selectedSeq}
              focusable={marker.event.seq === focusSeq}
              onFocus={() => onSelect(marker.event.seq)}
              onClick={() => {
                onSelect(marker.event.seq);
                onActivate(marker.event.seq);
              }}
            />
          ))}
        </g>
      </svg>
    </div>
  );
}

function AttemptBar({ placed, y }: { placed: PlacedAttempt; y: number }) {
  const { attempt, x1, x2 } = placed;
  const kind = attempt.compensation ? 'compensation' : 'forward';
  return (
    <g class={`attempt attempt-${kind} outcome-${attempt.outcome}`}>
      <title>
        {`${attempt.command} · attempt ${attempt.attempt} · ${attempt.outcome}${attempt.retries ? ` after ${attempt.retries} worker ${attempt.retries === 1 ? 'retry' : 'retries'}` : ''}`}
      </title>
      <rect x={x1} y={y - 4} width={Math.max(2, x2 - x1)} height={8} rx={4} />
    </g>
  );
}

function Marker({
  marker,
  y,
  selected,
  focusable,
  onFocus,
  onClick,
}: {
  marker: PlacedEvent;
  y: number;
  selected: boolean;
  focusable: boolean;
  onFocus: () => void;
  onClick: () => void;
}) {
  const { event, x, tone, lane } = marker;
  const label = `#${event.seq} ${event.type} ${summarize(event)} at ${formatClock(event.at)}${event.late ? ' (late)' : ''}`;
  return (
    <g
      class={`marker tone-${tone}${selected ? ' selected' : ''}${event.late ? ' late' : ''}`}
      data-seq={event.seq}
      data-type={event.type}
      data-lane={lane}
      role="button"
      tabIndex={focusable ? 0 : -1}
      aria-label={label}
      aria-pressed={selected}
      onFocus={onFocus}
      onClick={onClick}
    >
      <title>{label}</title>
      <circle class="hit" cx={x} cy={y} r={9} />
      <ShapeAt shape={shapeOf(event.type)} x={x} y={y} />
    </g>
  );
}

/** The element's width, following resizes; drawing at 1:1 keeps text crisp. */
function useWidth(ref: { current: HTMLElement | null }): number {
  const [width, setWidth] = useState(960);
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return width;
}
