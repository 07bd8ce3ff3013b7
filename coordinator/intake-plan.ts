/**
 * What the intake writes for one new order: the saga row with its first decision, and the
 * timeline and outbox rows that decision produced. Nothing here touches the database.
 */
import { randomUUID } from 'node:crypto';
import { Step } from '../sagas/contracts/envelope';
import { OrderRequest, Simulation, normalizeLines } from '../sagas/contracts/order-request';
import { StoredSaga, startSaga } from '../sagas/order/decide';
import { faultHeaders, simulationOf } from './fault-header';
import { commandRow, OutboxRow } from './outgoing';
import { SagaTiming, nextTiming } from './saga-timing';
import { TimelineRow, appendTimelineEntries } from './repositories/saga-writes';
import { OrderRow } from './repositories/orders';
import { SagaRecord } from './saga-cache';

export interface IntakeSettings {
  maxRetryAttempts: number;
  stepTimeoutMs: number;
  /** The definition new sagas start on (SAGA_VERSION); version 1 when not given. */
  sagaVersion?: number;
}

export interface NewSaga {
  saga_id: string;
  order_id: string;
  user_id: string;
  request_hash: string;
  items: unknown;
  total: number;
  faults: unknown;
  status: string;
  state: string;
  step: string | null;
  version: number;
  snapshot: unknown;
  timeline_seq: number;
  deadline_at: string | null;
  deadline_token: string | null;
  stuck_since: string | null;
}

const noTiming: SagaTiming = { deadline_at: null, deadline_token: null, stuck_since: null };

export interface PlannedSaga {
  saga: NewSaga;
  timeline: TimelineRow[];
  outbox: Array<OutboxRow & { saga_id: string }>;
}

/** The saga as the runner remembers it right after its creation (revision 0). */
export function recordOf(saga: NewSaga, now: string): SagaRecord {
  return {
    saga_id: saga.saga_id,
    order_id: saga.order_id,
    step: saga.step as Step | null,
    snapshot: saga.snapshot as StoredSaga,
    timeline_seq: saga.timeline_seq,
    faults: saga.faults as Simulation | null,
    created_at: new Date(now),
    revision: 0,
    deadline_at: saga.deadline_at,
    deadline_token: saga.deadline_token,
    stuck_since: saga.stuck_since,
  };
}

/** The order as the API shows it right after its saga was created. */
export function orderRowOf(saga: NewSaga, now: string): OrderRow {
  const at = new Date(now);
  return { ...saga, reason: null, created_at: at, updated_at: at };
}

/** A request's new trace: the saga takes its id, and its first command continues it. */
export interface SagaTrace {
  sagaId: string;
  traceparent: string;
}

/**
 * The rows a new order would write, its saga id drawn fresh (or the id of the trace its
 * request started, so that trace is the order's); `hash` identifies its body.
 */
export function plan(
  request: OrderRequest,
  hash: string,
  now: string,
  settings: IntakeSettings,
  trace?: SagaTrace,
): PlannedSaga {
  const sagaId = trace?.sagaId ?? randomUUID();
  const items = normalizeLines(request.items);
  const decision = startSaga(
    {
      sagaId,
      orderId: request.order_id,
      items,
      total: request.total,
      maxRetryAttempts: settings.maxRetryAttempts,
    },
    settings.sagaVersion,
  );
  const faults = simulationOf(request);
  const timeline: TimelineRow[] = [];
  const seq = appendTimelineEntries(timeline, sagaId, 0, decision.timeline, now);
  const identity = { sagaId, orderId: request.order_id };
  const outbox = decision.commands.map((intent) => ({
    ...commandRow(identity, intent, null, now, {
      ...faultHeaders(faults, intent),
      ...(trace ? { traceparent: trace.traceparent } : {}),
    }),
    saga_id: sagaId,
  }));
  const saga: NewSaga = {
    saga_id: sagaId,
    order_id: request.order_id,
    user_id: request.user_id,
    request_hash: hash,
    items,
    total: request.total,
    faults,
    status: decision.status,
    state: decision.state,
    step: decision.step,
    version: decision.saga.version,
    snapshot: decision.saga,
    timeline_seq: seq,
    ...nextTiming(decision, noTiming, new Date(now), settings.stepTimeoutMs),
  };
  return { saga, timeline, outbox };
}
