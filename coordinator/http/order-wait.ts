/**
 * Waiting for an order's outcome over HTTP: `GET /orders/{id}?wait=S` and `Prefer: wait=S`
 * (RFC 7240) on `POST /orders`. The request is held until the order is COMPLETED, CANCELLED or
 * STUCK, or until S seconds pass; a client that goes away releases its waiter at once.
 */
import type { Response } from 'express';
import { Database } from '../../lib/db';
import { settledStatuses, OrderStatus } from '../../sagas/order/status';
import { OrderWaiters } from '../order-waiters';
import { OrderRow, findOrder } from '../repositories/orders';

import { MAX_WAIT_SECONDS } from '../../sagas/contracts/http/orders';

export { MAX_WAIT_SECONDS };

export const isSettled = (order: Pick<OrderRow, 'status'>): boolean =>
  settledStatuses.includes(order.status as OrderStatus);

/**
 * The `wait` preference of a Prefer header, in whole seconds (capped at 60, as a preference is
 * a hint); undefined when absent or malformed.
 */
export function preferredWaitSeconds(header: string | undefined): number | undefined {
  if (!header) return undefined;
  for (const preference of header.split(',')) {
    const [token] = preference.split(';');
    const match = /^\s*wait\s*=\s*"?(\d{1,9})"?\s*$/i.exec(token ?? '');
    if (match) return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
  }
  return undefined;
}

/** An AbortSignal that fires when the client closes the connection before the answer. */
export function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  return gone.signal;
}

/**
 * Reads the order, holding on until it settles or `seconds` pass. The waiter is registered
 * before each read, so a transition committed between the read and the wait is never missed;
 * a wake that finds the order still running (another coordinator's hint) waits on.
 * Undefined when the order does not exist or the client went away.
 */
export async function readWhenSettled(
  db: Database,
  waiters: OrderWaiters,
  orderId: string,
  seconds: number,
  signal: AbortSignal,
  /** The order as just read or written by the caller, which spares the first read. */
  current?: OrderRow,
): Promise<OrderRow | undefined> {
  const deadline = Date.now() + seconds * 1000;
  let known = current;
  for (;;) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0 || signal.aborted) return known ?? findOrder(db, orderId);
    const wait = waiters.wait(orderId, remainingMs, signal);
    const order =
      known ??
      (await findOrder(db, orderId).catch((error: unknown) => {
        wait.release();
        throw error;
      }));
    known = undefined;
    if (!order || isSettled(order)) {
      wait.release();
      return order;
    }
    const end = await wait.ended;
    if (end === 'aborted') return undefined;
    if (end === 'timeout') return findOrder(db, orderId);
    if (wait.settledAs) return wait.settledAs;
  }
}

/** How often a follower looks again for transitions another coordinator committed. */
const FOLLOW_RECHECK_MS = 1_000;

/**
 * Holds a timeline request until it has new entries or `seconds` pass: woken at once by this
 * coordinator's own transitions, and looking again every second for other coordinators'.
 * Undefined when the client went away.
 */
export async function followTimeline<T extends { events: unknown[] }>(
  waiters: OrderWaiters,
  orderId: string,
  seconds: number,
  read: () => Promise<T>,
  signal: AbortSignal,
): Promise<T | undefined> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const remainingMs = deadline - Date.now();
    const wait =
      remainingMs > 0
        ? waiters.waitForChange(orderId, Math.min(remainingMs, FOLLOW_RECHECK_MS), signal)
        : undefined;
    const body = await read().catch((error: unknown) => {
      wait?.release();
      throw error;
    });
    if (body.events.length > 0 || !wait) {
      wait?.release();
      return body;
    }
    if ((await wait.ended) === 'aborted') return undefined;
  }
}
