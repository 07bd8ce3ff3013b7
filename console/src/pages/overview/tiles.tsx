/** The overview's building blocks: a titled tile, a big number, outcome bars, retries. */
import type { ComponentChildren } from 'preact';
import { formatCount, humanize } from '../../format';
import type { MetricsSnapshot } from '../../metrics/overview';

export function Tile({
  title,
  id,
  children,
}: {
  title: string;
  id: string;
  children: ComponentChildren;
}) {
  return (
    <section class="card tile" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function Big({ value, unit }: { value: string; unit: string }) {
  return (
    <p class="big">
      <span class="big-value">{value}</span> <span class="big-unit">{unit}</span>
    </p>
  );
}

export function Outcomes({
  latest,
  counts,
}: {
  latest: MetricsSnapshot | undefined;
  counts: Record<string, number> | undefined;
}) {
  const ended = Object.entries(latest?.outcomes ?? {});
  const max = Math.max(1, ...ended.map(([, n]) => n));
  return (
    <>
      <ul class="bars">
        {ended.length === 0 && <li class="empty">No saga has ended yet.</li>}
        {ended.map(([status, n]) => (
          <li key={status}>
            <span class="bar-label">{humanize(status)}</span>
            <svg class={`bar bar-${status}`} width="100%" height="10" aria-hidden="true">
              <rect width={`${(n / max) * 100}%`} height="10" rx="3" />
            </svg>
            <strong>{formatCount(n)}</strong>
          </li>
        ))}
      </ul>
      <p class="hint">
        {counts ? `${formatCount(counts.STUCK ?? 0)} stuck now` : ''} ·{' '}
        {latest ? `${formatCount(latest.started)} started` : ''}
      </p>
    </>
  );
}

export function Retries({ latest }: { latest: MetricsSnapshot | undefined }) {
  const total = latest?.retries.reduce((n, r) => n + r.count, 0) ?? 0;
  return (
    <>
      <Big value={latest ? formatCount(total) : '…'} unit="commands re-sent" />
      <ul class="depths">
        {latest?.retries.map((r) => (
          <li key={`${r.step}-${r.cause}`}>
            {r.step} · {r.cause === 'timeout' ? 'no reply in time' : 'worker error'}{' '}
            <strong>{formatCount(r.count)}</strong>
          </li>
        ))}
      </ul>
    </>
  );
}
