/** Every timeline event, in order, each expandable to the JSON the API recorded for it. */
import type { TimelineEvent } from '../api/types';
import { formatClock, formatDuration } from '../format';
import { laneLabels, laneOf, summarize, toneOf } from '../timeline/model';
import { JsonView } from './json';

export function EventList({
  events,
  open,
  selectedSeq,
  onToggle,
}: {
  events: TimelineEvent[];
  open: ReadonlySet<number>;
  selectedSeq: number | undefined;
  onToggle: (seq: number, open: boolean) => void;
}) {
  const start = events[0] ? new Date(events[0].at).getTime() : 0;
  return (
    <ol class="events" aria-label="Timeline events">
      {events.map((event) => (
        <li
          key={event.seq}
          id={`event-${event.seq}`}
          class={`event tone-${toneOf(event)}${event.late ? ' late' : ''}${event.seq === selectedSeq ? ' selected' : ''}`}
          data-type={event.type}
        >
          <details
            open={open.has(event.seq)}
            onToggle={(e) => {
              const isOpen = e.currentTarget.open;
              if (isOpen !== open.has(event.seq)) onToggle(event.seq, isOpen);
            }}
          >
            <summary>
              <span class="seq">#{event.seq}</span>
              <time dateTime={event.at} title={event.at}>
                {formatClock(event.at)}
              </time>
              <span class="delta">+{formatDuration(new Date(event.at).getTime() - start)}</span>
              <span class="event-lane">{laneLabels[laneOf(event)]}</span>
              <span class="event-type">{event.type}</span>
              <span class="event-summary">{summarize(event)}</span>
              {event.late && (
                <span
                  class="tag tag-late"
                  title="Recorded although the saga's state did not accept it"
                >
                  late
                </span>
              )}
            </summary>
            <JsonView value={event} label={`Event ${event.seq} as JSON`} />
          </details>
        </li>
      ))}
    </ol>
  );
}
