/** One saga: its header, the lanes picture, and every event, kept live while it runs. */
import { useState } from 'preact/hooks';
import { getConfig } from '../../api/orders';
import { EventList } from '../../components/event-list';
import { ErrorNotice, Loading } from '../../components/notice';
import { TimelineLanes } from '../../components/timeline/lanes';
import { TimelineLegend } from '../../components/timeline/shapes';
import { useLoad, useNow, useTitle } from '../../hooks';
import type { Scale } from '../../timeline/layout';
import { SagaHeader } from './header';
import { useSaga } from './use-saga';

export function SagaPage({ orderId }: { orderId: string }) {
  useTitle(`Order ${orderId}`);
  const view = useSaga(orderId);
  const config = useLoad((signal) => getConfig(signal), []);
  const [scale, setScale] = useState<Scale>('time');
  const [selected, setSelected] = useState<number | undefined>();
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  // Only a saga waiting on a worker grows towards "now"; a STUCK one waits for a person.
  const running = view.following && view.status !== 'STUCK';
  const now = useNow(running ? 1000 : 60_000);

  if (view.notFound) {
    return (
      <section class="card">
        <h1>No order {orderId}</h1>
        <p>
          The coordinator has no order with this id. <a href="/console/orders">Search the orders</a>
          .
        </p>
      </section>
    );
  }
  if (view.error) return <ErrorNotice error={view.error} action={`load order ${orderId}`} />;
  if (!view.order) return <Loading what={`order ${orderId}`} />;

  const activate = (seq: number) => {
    setSelected(seq);
    setOpen((current) => new Set(current).add(seq));
    requestAnimationFrame(() => {
      const item = document.getElementById(`event-${seq}`);
      item?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      item?.querySelector('summary')?.focus({ preventScroll: true });
    });
  };
  const toggle = (seq: number, isOpen: boolean) =>
    setOpen((current) => {
      const next = new Set(current);
      if (isOpen) next.add(seq);
      else next.delete(seq);
      return next;
    });

  return (
    <>
      <SagaHeader view={view} ports={config.data?.worker_ports} />
      <section class="card" aria-labelledby="timeline-title">
        <div class="section-head">
          <h2 id="timeline-title">Timeline</h2>
          <span class="hint" aria-live="polite">
            {view.events.length} events
          </span>
          <fieldset class="segmented">
            <legend class="visually-hidden">Horizontal scale</legend>
            {(['time', 'order'] as const).map((option) => (
              <label key={option} class={scale === option ? 'active' : ''}>
                <input
                  type="radio"
                  name="scale"
                  value={option}
                  checked={scale === option}
                  onChange={() => setScale(option)}
                />
                {option === 'time' ? 'To time scale' : 'Event order'}
              </label>
            ))}
          </fieldset>
        </div>
        <TimelineLanes
          events={view.events}
          scale={scale}
          now={running ? now : undefined}
          selectedSeq={selected}
          onSelect={setSelected}
          onActivate={activate}
        />
        <TimelineLegend />
        <div class="section-head">
          <h3>Events</h3>
          <button type="button" onClick={() => setOpen(new Set(view.events.map((e) => e.seq)))}>
            Expand all
          </button>
          <button type="button" onClick={() => setOpen(new Set())}>
            Collapse all
          </button>
        </div>
        <EventList events={view.events} open={open} selectedSeq={selected} onToggle={toggle} />
      </section>
    </>
  );
}
