/** Live counts per status, each a button that filters the list by that status. */
import type { StatusCounts } from '../../api/types';
import { formatCount, humanize } from '../../format';

export function StatusCounter({
  counts,
  selected,
  onSelect,
}: {
  counts: StatusCounts | undefined;
  selected: string;
  onSelect: (status: string) => void;
}) {
  const entries: Array<[string, number | undefined]> = [
    ['', counts?.total],
    ...Object.entries(counts?.counts ?? {}),
  ];
  return (
    <nav class="counts" aria-label="Orders per status (live)">
      {entries.map(([status, count]) => (
        <button
          key={status || 'all'}
          type="button"
          class={`count count-${status || 'all'}`}
          aria-pressed={selected === status}
          data-status={status || 'ALL'}
          onClick={() => onSelect(status)}
        >
          <span class="count-value">{count === undefined ? '…' : formatCount(count)}</span>
          <span class="count-label">{status ? humanize(status) : 'All orders'}</span>
        </button>
      ))}
    </nav>
  );
}
