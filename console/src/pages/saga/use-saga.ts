/**
 * One order's saga, kept current while it runs: the order, the saga's details and its timeline,
 * then a long-poll on the timeline (`?after=SEQ&wait=S`) that the API holds until there are new
 * entries. One request open at a time, none while nothing happens; it stops once the saga ends.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, isAbort } from '../../api/http';
import { getOrder, getSaga, getTimeline } from '../../api/orders';
import type { Order, SagaDetails, TimelineEvent } from '../../api/types';
import { isTerminal } from '../../components/status';

/** How long the API holds a follow request (it allows up to 60 s). */
const FOLLOW_WAIT_SECONDS = 25;
const MAX_BACKOFF_MS = 30_000;

export interface SagaView {
  order: Order | undefined;
  saga: SagaDetails | undefined;
  events: TimelineEvent[];
  status: string | undefined;
  notFound: boolean;
  error: Error | undefined;
  following: boolean;
  /** Set while the follow requests fail and are being retried. */
  interrupted: string | undefined;
  /** Reads the order and saga again (after an operator action, say). */
  refresh: () => void;
}

const empty: Omit<SagaView, 'refresh'> = {
  order: undefined,
  saga: undefined,
  events: [],
  status: undefined,
  notFound: false,
  error: undefined,
  following: false,
  interrupted: undefined,
};

export function useSaga(orderId: string): SagaView {
  const [view, setView] = useState(empty);
  const [reads, setReads] = useState(0);
  const refresh = useCallback(() => setReads((n) => n + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const update = (patch: Partial<SagaView>) =>
      !signal.aborted && setView((v) => ({ ...v, ...patch }));
    const readOrder = async () => {
      const order = await getOrder(orderId, signal);
      update({ order, saga: await getSaga(order.saga_id, signal) });
    };
    setView(empty);
    (async () => {
      const [order, timeline] = await Promise.all([
        getOrder(orderId, signal),
        getTimeline(orderId, {}, signal),
      ]);
      update({ order, events: timeline.events, status: timeline.status });
      update({ saga: await getSaga(order.saga_id, signal) });
      await follow(orderId, timeline.events.at(-1)?.seq ?? 0, timeline.status, signal, {
        onEvents: (fresh, status) => {
          update({ status });
          if (!signal.aborted) setView((v) => ({ ...v, events: [...v.events, ...fresh] }));
          void readOrder().catch(() => undefined);
        },
        onState: (following, interrupted) => update({ following, interrupted }),
      });
    })().catch((error: unknown) => {
      if (signal.aborted || isAbort(error)) return;
      if (error instanceof ApiError && error.status === 404) update({ notFound: true });
      else update({ error: error as Error });
    });
    return () => controller.abort();
  }, [orderId]);

  useEffect(() => {
    if (reads === 0 || !view.order) return undefined;
    const controller = new AbortController();
    Promise.all([
      getOrder(orderId, controller.signal),
      getSaga(view.order.saga_id, controller.signal),
    ])
      .then(
        ([order, saga]) => !controller.signal.aborted && setView((v) => ({ ...v, order, saga })),
      )
      .catch(() => undefined);
    return () => controller.abort();
  }, [reads]);

  return { ...view, refresh };
}

async function follow(
  orderId: string,
  afterSeq: number,
  initialStatus: string,
  signal: AbortSignal,
  on: {
    onEvents: (events: TimelineEvent[], status: string) => void;
    onState: (following: boolean, interrupted: string | undefined) => void;
  },
): Promise<void> {
  let seq = afterSeq;
  let status = initialStatus;
  let failures = 0;
  while (!signal.aborted && !isTerminal(status)) {
    on.onState(true, undefined);
    try {
      const page = await getTimeline(
        orderId,
        { afterSeq: seq, waitSeconds: FOLLOW_WAIT_SECONDS },
        signal,
      );
      failures = 0;
      const fresh = page.events.filter((event) => event.seq > seq);
      status = page.status;
      if (fresh.length > 0) {
        seq = fresh.at(-1)!.seq;
        on.onEvents(fresh, status);
      }
    } catch (error) {
      if (signal.aborted || isAbort(error)) return;
      failures += 1;
      const delayMs = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
      on.onState(
        true,
        `${(error as Error).message}; trying again in ${Math.round(delayMs / 1000)} s`,
      );
      await pause(delayMs, signal);
    }
  }
  if (!signal.aborted) on.onState(false, undefined);
}

/** Waits between failed attempts (a backoff, not polling), cut short when the page goes. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
