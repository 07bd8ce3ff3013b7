/**
 * Applies incoming events to sagas, a batch at a time, all of it in ONE statement: snapshots,
 * timeline entries, outbox rows and inbox records commit together or not at all.
 *
 * Optimistic: a batch is decided on the sagas as this coordinator last wrote them (its cache),
 * or as read together with the inbox when it does not know them. The write lands only if every
 * saga is still at the revision it was decided on and every message is new in the inbox;
 * otherwise (another coordinator moved a saga, or a message is a repeat) nothing of it commits
 * and the batch is decided again on fresh rows. A saga is therefore never advanced by two at
 * once, and a batch of known sagas costs one round trip to PostgreSQL.
 */
import { Database } from '../lib/db';
import { statement } from '../lib/pipelined';
import { OrderSagaEvent } from '../sagas/order/machine';
import { Decision, TimelineEntry, decide } from '../sagas/order/decide';
import { parkUnknownVersion } from '../sagas/order/park';
import { isRegistered } from '../sagas/order/versions';
import { OrderStatus, settledStatuses, terminalStatuses } from '../sagas/order/status';
import { faultHeaders } from './fault-header';
import { endTransitionSpans, transitionSpan } from './transition-spans';
import { Span, spansEnabled, traceparentOf } from '../lib/telemetry/spans';
import { OutboxRow, commandRow } from './outgoing';
import { SagaCache, SagaRecord } from './saga-cache';
import { OrderJson, OrderRow, fromJson } from './repositories/orders';
import { SagaTiming, isStaleTimeout, nextTiming } from './saga-timing';
import {
  CommittedOutboxRow,
  InboxRow,
  SagaUpdate,
  TimelineRow,
  appendTimelineEntries,
  committedRows,
  isOvertaken,
  sagaBatchStatement,
} from './repositories/saga-writes';

export interface SagaEvent {
  messageId: string;
  sagaId: string;
  event: OrderSagaEvent;
  /** Entries the coordinator adds after the decision's own, when the event is applied. */
  annotations?: TimelineEntry[];
  /** The message's W3C traceparent, when it came in one; otherwise the saga's trace is used. */
  traceparent?: string;
}

export type EventOutcome = 'applied' | 'duplicate' | 'ignored' | 'orphan';
/** What the inbox holds of a message heard before. */
type HeardOutcome = Exclude<EventOutcome, 'duplicate'>;

export interface TransitionObserver {
  /** Called after commit for every applied event, e.g. to count outcomes. */
  onApplied(decision: Decision, sagaCreatedAt: Date): void;
}

/** What a committed batch hands on: its outbox rows to publish, and the orders it moved. */
export interface CommittedBatch {
  outbox: CommittedOutboxRow[];
  /** Orders that ended or became STUCK in this batch. */
  settledOrderIds: string[];
  /** Those orders as the batch committed them, by order id. */
  settledOrders: Map<string, OrderRow>;
  /** Every order this batch changed, settled ones included. */
  changedOrderIds: string[];
}

export interface PlannedWrites {
  sagas: Map<string, SagaUpdate>;
  timeline: TimelineRow[];
  outbox: OutboxRow[];
  inbox: InboxRow[];
  settled: Set<string>;
}

interface Written {
  outbox: CommittedOutboxRow[];
  settledOrders: Map<string, OrderRow>;
}

interface Planned {
  outcomes: EventOutcome[];
  writes: PlannedWrites;
  records: Map<string, SagaRecord>;
  applied: Array<{ decision: Decision; createdAt: Date }>;
  /** One per event decided, while tracing is on; they end with the write. */
  spans: Span[];
}

/** Attempts at a batch that keeps being overtaken before it is left to the consumer's retry. */
const MAX_ATTEMPTS = 5;

export class BatchOvertakenError extends Error {
  // A transient failure: the consumer retries the batch after a pause.
  readonly code = '40001';
  constructor() {
    super(`saga batch overtaken ${MAX_ATTEMPTS} times in a row`);
    this.name = 'BatchOvertakenError';
  }
}

export class SagaRunner {
  constructor(
    private readonly db: Database,
    private readonly onCommitted: (batch: CommittedBatch) => void,
    private readonly stepTimeoutMs: number,
    private readonly observer?: TransitionObserver,
    private readonly cache = new SagaCache(),
  ) {}

  async handle(events: readonly SagaEvent[]): Promise<EventOutcome[]> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      // The first attempt trusts the cache; an overtaken one reads everything afresh.
      const known = attempt === 1 ? this.cached(events) : undefined;
      const { sagas, seen } = known
        ? { sagas: known, seen: new Map<string, HeardOutcome>() }
        : await readSagas(this.db, events);
      const planned = this.plan(events, sagas, seen);
      let written: Written;
      try {
        written = await this.write(planned.writes);
      } catch (error) {
        endTransitionSpans(planned.spans, error);
        if (!isOvertaken(error)) throw error;
        this.cache.forget(sagas.keys());
        continue;
      }
      endTransitionSpans(planned.spans);
      this.committed(planned, written);
      return planned.outcomes;
    }
    throw new BatchOvertakenError();
  }

  /** Every saga of the batch as this coordinator last wrote it, or undefined. */
  private cached(events: readonly SagaEvent[]): Map<string, SagaRecord> | undefined {
    const sagas = new Map<string, SagaRecord>();
    for (const { sagaId } of events) {
      if (sagas.has(sagaId)) continue;
      const record = this.cache.get(sagaId);
      if (!record) return undefined;
      sagas.set(sagaId, record);
    }
    return sagas;
  }

  private plan(
    events: readonly SagaEvent[],
    sagas: Map<string, SagaRecord>,
    seen: Map<string, HeardOutcome>,
  ): Planned {
    const applied: Planned['applied'] = [];
    const spans: Span[] = [];
    const writes: PlannedWrites = {
      sagas: new Map(),
      timeline: [],
      outbox: [],
      inbox: [],
      settled: new Set(),
    };
    const now = new Date();
    // One inbox row per message of the batch, even when it comes twice in it.
    const inboxRows = new Map<string, InboxRow>();
    const outcomes = events.map((incoming): EventOutcome => {
      const earlier = seen.get(incoming.messageId);
      // Applied (or orphaned) once is done for good. Ignored is not: a reply that came while
      // the saga could not take it (a STUCK saga) comes again, with the same id, when the
      // operator's replay re-sends the command, and must be taken then.
      if (earlier !== undefined && earlier !== 'ignored') return 'duplicate';
      const saga = sagas.get(incoming.sagaId);
      const span = saga && spansEnabled() ? transitionSpan(saga, incoming) : undefined;
      if (span) spans.push(span);
      const outcome = saga
        ? this.apply(saga, incoming, writes, now, applied, earlier === 'ignored', span)
        : 'orphan';
      span?.setAttribute('saga.outcome', outcome);
      if (outcome === 'duplicate') return outcome;
      seen.set(incoming.messageId, outcome);
      const row = inboxRows.get(incoming.messageId);
      if (row) row.outcome = outcome;
      else {
        const fresh: InboxRow = {
          message_id: incoming.messageId,
          saga_id: incoming.sagaId,
          type: incoming.event.type,
          outcome,
        };
        inboxRows.set(incoming.messageId, fresh);
        writes.inbox.push(fresh);
      }
      return outcome;
    });
    return { outcomes, writes, records: sagas, applied, spans };
  }

  private async write(writes: PlannedWrites): Promise<Written> {
    const [sql, params] = sagaBatchStatement({
      ...writes,
      sagas: [...writes.sagas.values()],
      settledOrderIds: [...writes.settled],
    });
    const { rows } = await statement<{
      outbox: Array<{ id: string; message_id: string }>;
      settled: OrderJson[];
    }>(this.db, sql, params);
    return {
      outbox: committedRows(writes.outbox, rows[0]?.outbox ?? []),
      settledOrders: new Map((rows[0]?.settled ?? []).map((row) => [row.order_id, fromJson(row)])),
    };
  }

  private committed(planned: Planned, { outbox, settledOrders }: Written): void {
    const { writes, records, applied } = planned;
    for (const update of writes.sagas.values()) {
      const record = records.get(update.saga_id)!;
      if (terminalStatuses.includes(update.status as OrderStatus))
        this.cache.forget([record.saga_id]);
      else this.cache.remember({ ...record, revision: update.revision + 1 });
    }
    if (applied.length > 0) {
      this.onCommitted({
        outbox,
        settledOrderIds: [...writes.settled],
        settledOrders,
        changedOrderIds: [...new Set(applied.map((a) => a.decision.saga.context.orderId))],
      });
    }
    for (const { decision, createdAt } of applied) this.observer?.onApplied(decision, createdAt);
  }

  private apply(
    saga: SagaRecord,
    incoming: SagaEvent,
    writes: PlannedWrites,
    now: Date,
    applied: Planned['applied'],
    ignoredBefore: boolean,
    span?: Span,
  ): EventOutcome {
    if (isStaleTimeout(incoming.event, saga.deadline_token))
      return ignoredBefore ? 'duplicate' : 'ignored';
    // A saga whose definition this build lacks is parked, never fails the batch it came in.
    const decision = isRegistered(saga.snapshot.version)
      ? decide(saga.snapshot, incoming.event)
      : parkUnknownVersion(saga.snapshot, saga.step ?? null);
    // Still not taken: it is on the timeline as late already, once is enough.
    if (ignoredBefore && !decision.accepted) return 'duplicate';
    if (decision.accepted && incoming.annotations) decision.timeline.push(...incoming.annotations);
    saga.timeline_seq = appendTimelineEntries(
      writes.timeline,
      saga.saga_id,
      saga.timeline_seq,
      decision.timeline,
      now.toISOString(),
    );
    if (!decision.accepted) {
      // Not applied, but recorded: the decider marks such an event late; only the timeline
      // position of the saga moves.
      if (decision.timeline.length > 0) writes.sagas.set(saga.saga_id, sagaUpdate(saga, decision));
      return 'ignored';
    }
    const identity = { sagaId: saga.saga_id, orderId: saga.order_id };
    span?.setAttributes({ 'saga.state': decision.state, 'saga.status': decision.status });
    const trace = span ? { traceparent: traceparentOf(span) } : undefined;
    for (const intent of decision.commands) {
      const headers = { ...faultHeaders(saga.faults, intent), ...trace };
      writes.outbox.push(
        commandRow(identity, intent, incoming.messageId, now.toISOString(), headers),
      );
    }
    saga.snapshot = decision.saga;
    saga.step = decision.step;
    Object.assign(saga, nextTiming(decision, saga, now, this.stepTimeoutMs));
    writes.sagas.set(saga.saga_id, sagaUpdate(saga, decision));
    if (settledStatuses.includes(decision.status)) writes.settled.add(saga.order_id);
    else writes.settled.delete(saga.order_id);
    applied.push({ decision, createdAt: saga.created_at });
    return 'applied';
  }
}

function sagaUpdate(saga: SagaRecord, decision: Decision): SagaUpdate {
  return {
    saga_id: saga.saga_id,
    revision: saga.revision,
    snapshot: saga.snapshot,
    status: decision.status,
    state: decision.state,
    step: decision.step,
    reason: decision.reason,
    timeline_seq: saga.timeline_seq,
    deadline_at: saga.deadline_at,
    deadline_token: saga.deadline_token,
    stuck_since: saga.stuck_since,
  };
}

/**
 * The batch's sagas and which of its messages the inbox already holds, in one statement: one
 * snapshot, so a message applied by someone else is either seen here or has moved its saga's
 * revision (and the write will not land).
 */
async function readSagas(
  db: Database,
  events: readonly SagaEvent[],
): Promise<{ sagas: Map<string, SagaRecord>; seen: Map<string, HeardOutcome> }> {
  const { rows } = await statement<
    Partial<SagaRecord> & { seen: string[] | null; seen_outcomes: HeardOutcome[] | null }
  >(
    db,
    `WITH seen AS (
       SELECT array_agg(message_id) AS ids, array_agg(outcome) AS outcomes
       FROM inbox WHERE message_id = ANY($2)
     )
     SELECT s.saga_id, s.order_id, s.step, s.snapshot, s.timeline_seq, s.faults, s.created_at,
            s.deadline_at, s.deadline_token, s.stuck_since, s.revision, seen.ids AS seen,
            seen.outcomes AS seen_outcomes
     FROM seen LEFT JOIN sagas s ON s.saga_id = ANY($1::uuid[])`,
    [[...new Set(events.map((e) => e.sagaId))], events.map((e) => e.messageId)],
  );
  const sagas = new Map<string, SagaRecord>();
  for (const row of rows) {
    if (row.saga_id) sagas.set(row.saga_id, { ...(row as SagaRecord), ...isoTiming(row) });
  }
  const outcomes = rows[0]?.seen_outcomes ?? [];
  const seen = new Map((rows[0]?.seen ?? []).map((id, i) => [id, outcomes[i]!] as const));
  return { sagas, seen };
}

function isoTiming(row: Partial<Record<keyof SagaTiming, unknown>>): SagaTiming {
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);
  return {
    deadline_at: iso(row.deadline_at),
    deadline_token: (row.deadline_token as string | null) ?? null,
    stuck_since: iso(row.stuck_since),
  };
}
