/** An order status as a labelled badge: the word is always there, the colour only helps. */
import { humanize } from '../format';

const tones: Record<string, string> = {
  PENDING: 'info',
  PAYMENT_AUTHORIZED: 'info',
  INVENTORY_RESERVED: 'info',
  COMPLETED: 'success',
  COMPENSATING: 'warning',
  CANCELLED: 'muted',
  STUCK: 'danger',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge badge-${tones[status] ?? 'muted'}`} data-status={status}>
      {humanize(status)}
    </span>
  );
}

export const isTerminal = (status: string | undefined): boolean =>
  status === 'COMPLETED' || status === 'CANCELLED';
