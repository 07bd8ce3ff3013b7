/**
 * Orders: live counts per status, find one by id, and the list newest first, filtered by status
 * and step, a page at a time. Filters live in the URL, so a filtered view can be shared.
 */
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { getCounts, listOrders } from '../../api/orders';
import { consolePath, orderHref, OrderLink } from '../../components/links';
import { Empty, ErrorNotice, Loading } from '../../components/notice';
import { StatusBadge } from '../../components/status';
import { describeItems, formatAgo, formatAmount, formatDateTime, humanize } from '../../format';
import { useLoad, useNow, useTitle } from '../../hooks';
import { FindOrder } from './find-order';
import { StatusCounter } from './status-counter';

const PAGE_SIZE = 25;
const COUNTS_REFRESH_MS = 5_000;
const stepOptions = ['payment', 'inventory', 'shipping'];

export function OrdersPage() {
  useTitle('Orders');
  const { query, route } = useLocation();
  const status = query.status ?? '';
  const step = query.step ?? '';
  // Cursors of the pages before this one, so "Newer" can go back.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const orders = useLoad(
    (signal) => listOrders({ status, step, limit: PAGE_SIZE, cursor }, signal),
    [status, step, cursor],
  );
  const counts = useLoad((signal) => getCounts(signal), [], COUNTS_REFRESH_MS);
  const now = useNow(5_000);

  const filter = (next: { status?: string; step?: string }) => {
    const search = new URLSearchParams();
    const merged = { status, step, ...next };
    if (merged.status) search.set('status', merged.status);
    if (merged.step) search.set('step', merged.step);
    setCursors([]);
    const text = search.toString();
    route(consolePath(`/orders${text ? `?${text}` : ''}`));
  };

  return (
    <>
      <div class="page-head">
        <h1>Orders</h1>
        <FindOrder onFound={(id) => route(orderHref(id))} />
      </div>
      <StatusCounter
        counts={counts.data}
        selected={status}
        onSelect={(s) => filter({ status: s })}
      />
      <section class="card" aria-labelledby="orders-title">
        <div class="section-head">
          <h2 id="orders-title">
            {status ? humanize(status) : 'All'} orders{step ? ` at ${step}` : ''}, newest first
          </h2>
          <div class="spacer" />
          <label for="filter-status">Status</label>
          <select
            id="filter-status"
            value={status}
            onChange={(e) => filter({ status: e.currentTarget.value })}
          >
            <option value="">any</option>
            {Object.keys(counts.data?.counts ?? {}).map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
          <label for="filter-step">Step</label>
          <select
            id="filter-step"
            value={step}
            onChange={(e) => filter({ step: e.currentTarget.value })}
          >
            <option value="">any</option>
            {stepOptions.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <button type="button" onClick={orders.reload}>
            Refresh
          </button>
        </div>
        <ErrorNotice error={orders.error} action="list the orders" />
        {!orders.data && orders.loading && <Loading what="orders" />}
        {orders.data && orders.data.orders.length === 0 && <Empty>No orders match.</Empty>}
        {orders.data && orders.data.orders.length > 0 && (
          <div class="table-wrap">
            <table class="table" aria-describedby="orders-title">
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Status</th>
                  <th scope="col">Step</th>
                  <th scope="col" class="num">
                    Total
                  </th>
                  <th scope="col">Items</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last change</th>
                </tr>
              </thead>
              <tbody>
                {orders.data.orders.map((order) => (
                  <tr key={order.saga_id} data-order={order.order_id}>
                    <td>
                      <OrderLink orderId={order.order_id} />
                    </td>
                    <td>
                      <StatusBadge status={order.status} />
                      {order.reason && <div class="hint">{order.reason.code}</div>}
                    </td>
                    <td>{order.step ?? '—'}</td>
                    <td class="num">{formatAmount(order.total)}</td>
                    <td class="items">{describeItems(order.items)}</td>
                    <td title={formatDateTime(order.created_at)}>
                      {formatAgo(order.created_at, now)}
                    </td>
                    <td title={formatDateTime(order.updated_at)}>
                      {formatAgo(order.updated_at, now)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav class="pager" aria-label="Pages">
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            ← Newer
          </button>
          <span class="hint">Page {cursors.length + 1}</span>
          <button
            type="button"
            disabled={!orders.data?.next_cursor}
            onClick={() => {
              const next = orders.data?.next_cursor;
              if (next) setCursors((c) => [...c, next]);
            }}
          >
            Older →
          </button>
        </nav>
      </section>
    </>
  );
}
