/** The public order API: orders, their sagas and timelines, counts, and the console's config. */
import { requestJson } from './http';
import type { ConsoleConfig, Order, OrderPage, SagaDetails, StatusCounts, Timeline } from './types';

export interface OrderFilter {
  status?: string;
  step?: string;
  limit?: number;
  cursor?: string;
}

const query = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

const orderPath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;

export const listOrders = (filter: OrderFilter, signal?: AbortSignal) =>
  requestJson<OrderPage>(`/orders${query({ ...filter })}`, { signal });

export const getOrder = (orderId: string, signal?: AbortSignal) =>
  requestJson<Order>(orderPath(orderId), { signal });

export const getSaga = (sagaId: string, signal?: AbortSignal) =>
  requestJson<SagaDetails>(`/sagas/${encodeURIComponent(sagaId)}`, { signal });

export const getCounts = (signal?: AbortSignal) =>
  requestJson<StatusCounts>('/sagas/counts', { signal });

export const getConfig = (signal?: AbortSignal) =>
  requestJson<ConsoleConfig>('/console/config.json', { signal });

/**
 * The timeline entries after `afterSeq`. With `waitSeconds`, the API holds the request until
 * there are some (or the time is up): one open request per watched saga, no polling.
 */
export const getTimeline = (
  orderId: string,
  { afterSeq = 0, waitSeconds }: { afterSeq?: number; waitSeconds?: number },
  signal?: AbortSignal,
) =>
  requestJson<Timeline>(
    `${orderPath(orderId)}/timeline${query({ after: afterSeq || undefined, wait: waitSeconds })}`,
    { signal },
  );
