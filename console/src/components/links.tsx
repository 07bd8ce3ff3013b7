/** Links to the console's own pages and to the workers' records of an order. */
import type { WorkerName } from '../api/types';

export const consolePath = (path: string): string => `/console${path}`;

export const orderHref = (orderId: string): string =>
  consolePath(`/orders/${encodeURIComponent(orderId)}`);

export function OrderLink({ orderId }: { orderId: string | null }) {
  if (!orderId) return <span class="hint">unknown</span>;
  return (
    <a href={orderHref(orderId)} class="mono">
      {orderId}
    </a>
  );
}

const recordPaths: Record<WorkerName, { label: string; path: string }> = {
  payment: { label: 'Payment authorizations', path: 'payments' },
  inventory: { label: 'Inventory reservation', path: 'reservations' },
  shipping: { label: 'Shipment', path: 'shipments' },
};

/**
 * The workers serve their records on their own ports; the browser cannot read them across
 * origins, so these are plain links opening the record's JSON in a new tab.
 */
export function WorkerRecordLinks({
  orderId,
  ports,
}: {
  orderId: string;
  ports: Record<WorkerName, number> | undefined;
}) {
  if (!ports) return null;
  const { protocol, hostname } = window.location;
  return (
    <ul class="record-links" aria-label="Worker records">
      {(Object.keys(recordPaths) as WorkerName[]).map((step) => (
        <li key={step}>
          <a
            href={`${protocol}//${hostname}:${ports[step]}/${recordPaths[step].path}/${encodeURIComponent(orderId)}`}
            target="_blank"
            rel="noopener noreferrer"
          >
            {recordPaths[step].label}
            <span class="visually-hidden"> (opens in a new tab)</span> ↗
          </a>
        </li>
      ))}
    </ul>
  );
}
