/** One dead-letter queue: its messages, to select and replay, and the way to purge it. */
import { useState } from 'preact/hooks';
import type { DeadLetter, DeadLetterQueue } from '../../api/types';
import { OrderLink } from '../../components/links';
import { formatAgo, formatCount, formatDateTime } from '../../format';
import { useNow } from '../../hooks';

export function QueueCard({
  queue,
  onReplay,
  onPurge,
}: {
  queue: DeadLetterQueue;
  onReplay: (messages: DeadLetter[]) => void;
  onPurge: () => void;
}) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const now = useNow(5_000);
  const chosen = queue.messages.filter((m) => selected.has(m.message_id));
  const titleId = `queue-${queue.queue.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <section class="card" aria-labelledby={titleId} data-queue={queue.queue}>
      <div class="section-head">
        <h2 id={titleId}>
          <span class="mono">{queue.queue}</span>{' '}
          <span class="pill">{formatCount(queue.count)}</span>
        </h2>
        {queue.count > queue.messages.length && (
          <span class="hint">showing the first {queue.messages.length}</span>
        )}
        <div class="spacer" />
        <button
          type="button"
          class="primary"
          disabled={chosen.length === 0}
          onClick={() => onReplay(chosen)}
        >
          Replay selected ({chosen.length})…
        </button>
        <button type="button" class="danger" onClick={onPurge}>
          Purge queue…
        </button>
      </div>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col" class="check">
                <input
                  type="checkbox"
                  aria-label={`Select every listed message of ${queue.queue}`}
                  checked={chosen.length > 0 && chosen.length === queue.messages.length}
                  onChange={(e) =>
                    setSelected(
                      e.currentTarget.checked
                        ? new Set(queue.messages.map((m) => m.message_id))
                        : new Set(),
                    )
                  }
                />
              </th>
              <th scope="col">Order</th>
              <th scope="col">Step · command</th>
              <th scope="col">Reason</th>
              <th scope="col" class="num">
                Attempts
              </th>
              <th scope="col">Dead-lettered</th>
            </tr>
          </thead>
          <tbody>
            {queue.messages.map((message) => (
              <tr
                key={message.message_id}
                data-order={message.order_id ?? ''}
                class={message.obsolete ? 'obsolete' : ''}
              >
                <td class="check">
                  <input
                    type="checkbox"
                    aria-label={`Select the message of order ${message.order_id ?? message.message_id}`}
                    checked={selected.has(message.message_id)}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      setSelected((current) => {
                        const next = new Set(current);
                        if (on) next.add(message.message_id);
                        else next.delete(message.message_id);
                        return next;
                      });
                    }}
                  />
                </td>
                <td>
                  <OrderLink orderId={message.order_id} />
                  {message.obsolete && (
                    <span
                      class="tag"
                      title="Its saga was replayed or cancelled since: replaying this changes nothing"
                    >
                      obsolete
                    </span>
                  )}
                  <div class="hint mono small">{message.message_id}</div>
                </td>
                <td>
                  {message.step ?? '—'} · <code>{message.command ?? '?'}</code>
                </td>
                <td class="reason-cell">{message.reason ?? '—'}</td>
                <td class="num">{message.attempts ?? '—'}</td>
                <td
                  title={
                    message.dead_lettered_at ? formatDateTime(message.dead_lettered_at) : undefined
                  }
                >
                  {message.dead_lettered_at ? formatAgo(message.dead_lettered_at, now) : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
