/**
 * Clients waiting for an order to settle (COMPLETED, CANCELLED or STUCK). A waiter costs a map
 * entry and one timer, nothing per tick: the coordinator that commits a settling transition
 * wakes its own waiters in memory, and a LISTEN connection wakes the waiters of orders that
 * another coordinator settled. A waiter is released when it is woken, when its time is up, or
 * when its client goes away.
 */
import type { Client, Notification } from 'pg';
import { backoffDelayMs, sleep } from '../lib/backoff';
import { SETTLED_CHANNEL } from './repositories/saga-writes';
import type { OrderRow } from './repositories/orders';

export type WaitEnd = 'settled' | 'changed' | 'timeout' | 'aborted' | 'released';

/** One client's wait: how it ended, and a way to give it up early (e.g. the answer is known). */
export interface Wait {
  ended: Promise<WaitEnd>;
  /**
   * The order as the transition that settled it committed it, when this coordinator committed
   * it: the answer needs no read. Undefined for every other way a wait ends.
   */
  readonly settledAs: OrderRow | undefined;
  release(): void;
}

interface Waiter {
  wake: (end: WaitEnd, order?: OrderRow) => void;
}

/** Waiters by order id: one map entry and one timer each, released on every way out. */
class WaiterSet {
  private readonly byOrder = new Map<string, Set<Waiter>>();

  get size(): number {
    let count = 0;
    for (const set of this.byOrder.values()) count += set.size;
    return count;
  }

  get orderIds(): string[] {
    return [...this.byOrder.keys()];
  }

  add(orderId: string, timeoutMs: number, signal?: AbortSignal): Wait {
    let release: () => void = () => undefined;
    let settledAs: OrderRow | undefined;
    const ended = new Promise<WaitEnd>((resolve) => {
      if (signal?.aborted) return resolve('aborted');
      const set = this.byOrder.get(orderId) ?? new Set<Waiter>();
      this.byOrder.set(orderId, set);
      const onAbort = () => waiter.wake('aborted');
      const timer = setTimeout(() => waiter.wake('timeout'), timeoutMs);
      const waiter: Waiter = {
        wake: (end, order) => {
          settledAs = order;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          set.delete(waiter);
          if (set.size === 0 && this.byOrder.get(orderId) === set) this.byOrder.delete(orderId);
          resolve(end);
        },
      };
      set.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      release = () => waiter.wake('released');
    });
    return {
      ended,
      get settledAs() {
        return settledAs;
      },
      release: () => release(),
    };
  }

  wake(orderIds: Iterable<string>, end: WaitEnd, orders?: ReadonlyMap<string, OrderRow>): void {
    for (const orderId of orderIds) {
      const set = this.byOrder.get(orderId);
      if (set) for (const waiter of [...set]) waiter.wake(end, orders?.get(orderId));
    }
  }

  wakeAll(end: WaitEnd): void {
    this.wake(this.orderIds, end);
  }
}

export interface OrderWaitersOptions {
  /** A LISTEN connection for other coordinators' notifications; omitted when there is one. */
  listen?: () => Client;
  onListenError?: (error: unknown) => void;
  /** True for the server process of one of this coordinator's own connections. */
  isOwnBackend?: (processId: number) => boolean;
  /** How long a notification this coordinator sent waits before it wakes anyone. */
  ownNotificationGraceMs?: number;
}

/**
 * This coordinator wakes its own waiters when the answer to the settling commit arrives, with
 * the order as committed; its own notification, which may come first, would only make them read
 * the order again. It is held this long and wakes whoever is still waiting: only when that
 * answer never came (the connection broke right after the commit).
 */
const OWN_NOTIFICATION_GRACE_MS = 1_000;

export class OrderWaiters {
  private readonly forOutcome = new WaiterSet();
  private readonly forChange = new WaiterSet();
  private listener: Client | undefined;
  private stopped = true;
  private listening: Promise<void> | undefined;

  constructor(private readonly options: OrderWaitersOptions = {}) {}

  /** How many clients wait right now (a gauge for operators). */
  get size(): number {
    return this.forOutcome.size + this.forChange.size;
  }

  /**
   * Resolves when the order settles, after `timeoutMs`, or when `signal` aborts. Register
   * before reading the order's state, so that a transition committed in between is not missed.
   */
  wait(orderId: string, timeoutMs: number, signal?: AbortSignal): Wait {
    return this.forOutcome.add(orderId, timeoutMs, signal);
  }

  /**
   * Resolves when this coordinator commits any transition of the order (e.g. for a console
   * following a timeline). Other coordinators' transitions are not announced: such a client
   * looks again when its (short) time is up.
   */
  waitForChange(orderId: string, timeoutMs: number, signal?: AbortSignal): Wait {
    return this.forChange.add(orderId, timeoutMs, signal);
  }

  /**
   * Wakes every client waiting on these orders. A client is answered with the order as `orders`
   * holds it (this coordinator's commit); one whose order is not there reads it again.
   */
  settled(orderIds: Iterable<string>, orders?: ReadonlyMap<string, OrderRow>): void {
    const ids = [...orderIds];
    this.forOutcome.wake(ids, 'settled', orders);
    this.forChange.wake(ids, 'changed');
  }

  /** Wakes the clients following these orders' transitions. */
  changed(orderIds: Iterable<string>): void {
    this.forChange.wake(orderIds, 'changed');
  }

  start(): void {
    this.stopped = false;
    if (this.options.listen) this.listening = this.listenForOthers(this.options.listen);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener?.end().catch(() => undefined);
    await this.listening;
    // Stopping answers every waiting client with the order as it stands.
    this.forOutcome.wakeAll('timeout');
    this.forChange.wakeAll('timeout');
  }

  private async listenForOthers(connect: () => Client): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      const client = connect();
      try {
        await client.connect();
        client.on('notification', (note: Notification) => {
          if (note.channel !== SETTLED_CHANNEL || !note.payload) return;
          const orderIds = note.payload.split(',');
          if (!this.options.isOwnBackend?.(note.processId)) return this.settled(orderIds);
          const graceMs = this.options.ownNotificationGraceMs ?? OWN_NOTIFICATION_GRACE_MS;
          setTimeout(() => this.forOutcome.wake(orderIds, 'settled'), graceMs).unref();
        });
        await client.query(`LISTEN ${SETTLED_CHANNEL}`);
        this.listener = client;
        attempt = 0;
        // Notifications sent while the connection was down are lost: every waiter looks again.
        this.forOutcome.wakeAll('settled');
        await new Promise<void>((resolve) => {
          client.on('error', () => resolve());
          client.once('end', () => resolve());
        });
      } catch (error) {
        if (!this.stopped) this.options.onListenError?.(error);
      }
      await client.end().catch(() => undefined);
      if (!this.stopped) await sleep(backoffDelayMs(Math.max(1, attempt)));
    }
  }
}
