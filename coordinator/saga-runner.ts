/**
 * Applies incoming events to sagas. A whole batch is ONE transaction: lock the saga rows (in id
 * order, so concurrent coordinators cannot deadlock), drop messages already in the inbox,
 * decide each event purely, then store the snapshots, timeline entries, outbox rows and inbox
 * records together. Either all of it commits or none of it does.
 *
 * The statements are pipelined: BEGIN, the locking read and the inbox check leave together, and
 * so do the writes and the COMMIT, so a batch costs two round trips to PostgreSQL.
 */
import { Database } from '../lib/db';
import { Pipeline, pipelinedTransaction } from '../lib/pipelined';
import { OrderSagaEvent } from '../sagas/order/machine';
import { Decision, StoredSaga, decide } from '../sagas/order/decide';
import { Simulation } from '../sagas/contracts/order-request';
import { settledStatuses } from '../sagas/order/status';
import { faultHeaders } from './fault-header';
import { OutboxRow, commandRow } from './outgoing';
import { SagaTiming, nextTiming } from './saga-timing';
import {
  CommittedOutboxRow,
  InboxRow,
  SagaUpdate,
  TimelineRow,
  appendTimelineEntries,
  committedRows,
  sagaBatchStatement,
} from './repositories/saga-writes';

export interface SagaEvent {
  messageId: string;
  sagaId: string;
  event: OrderSagaEvent;
}

export type EventOutcome = 'applied' | 'duplicate' | 'ignored' | 'orphan';

export interface TransitionObserver {
  /** Called after commit for every applied event, e.g. to count outcomes. */
  onApplied(decision: Decision, sagaCreatedAt: Date): void;
}

/** What a committed batch hands on: its outbox rows to publish, and the orders it moved. */
export interface CommittedBatch {
  outbox: CommittedOutboxRow[];
  /** Orders that ended or became STUCK in this batch. */
  settledOrderIds: string[];
  /** Every order this batch changed, settled ones included. */
  changedOrderIds: string[];
}

interface LockedSaga extends SagaTiming {
  saga_id: string;
  order_id: string;
  snapshot: StoredSaga;
  timeline_seq: number;
  faults: Simulation | null;
  created_at: Date;
}

export interface PlannedWrites {
  sagas: Map<string, SagaUpdate>;
  timeline: TimelineRow[];
  outbox: OutboxRow[];
  inbox: InboxRow[];
  settled: Set<string>;
}

export class SagaRunner {
  constructor(
    private readonly db: Database,
    private readonly onCommitted: (batch: CommittedBatch) => void,
    private readonly stepTimeoutMs: number,
    private readonly observer?: TransitionObserver,
  ) {}

  async handle(events: readonly SagaEvent[]): Promise<EventOutcome[]> {
    const applied: Array<{ decision: Decision; createdAt: Date }> = [];
    const { outcomes, writes, written } = await pipelinedTransaction(this.db, async (tx) => {
      const [sagas, seen] = await Promise.all([lockSagas(tx, events), seenMessages(tx, events)]);
      const writes: PlannedWrites = {
        sagas: new Map(),
        timeline: [],
        outbox: [],
        inbox: [],
        settled: new Set(),
      };
      const now = new Date();
      const outcomes = events.map((incoming) => {
        if (seen.has(incoming.messageId)) return 'duplicate';
        seen.add(incoming.messageId);
        const saga = sagas.get(incoming.sagaId);
        const outcome = saga ? this.apply(saga, incoming, writes, now, applied) : 'orphan';
        writes.inbox.push({
          message_id: incoming.messageId,
          saga_id: incoming.sagaId,
          type: incoming.event.type,
          outcome: outcome as InboxRow['outcome'],
        });
        return outcome;
      });
      const [sql, params] = sagaBatchStatement({
        ...writes,
        sagas: [...writes.sagas.values()],
        settledOrderIds: [...writes.settled],
      });
      // Not awaited: the COMMIT follows it on the wire; the transaction settles both.
      const written = tx.query<{ id: string; message_id: string }>(sql, params);
      return { outcomes, writes, written };
    });
    const outbox = committedRows(writes.outbox, (await written).rows);
    if (applied.length > 0) {
      this.onCommitted({
        outbox,
        settledOrderIds: [...writes.settled],
        changedOrderIds: [...new Set(applied.map((a) => a.decision.saga.context.orderId))],
      });
    }
    for (const { decision, createdAt } of applied) this.observer?.onApplied(decision, createdAt);
    return outcomes;
  }

  private apply(
    saga: LockedSaga,
    incoming: SagaEvent,
    writes: PlannedWrites,
    now: Date,
    applied: Array<{ decision: Decision; createdAt: Date }>,
  ): EventOutcome {
    // A timeout armed before the latest send or retry notice is stale.
    if (
      incoming.event.type === 'step.timed_out' &&
      incoming.event.data.token !== saga.deadline_token
    ) {
      return 'ignored';
    }
    const decision = decide(saga.snapshot, incoming.event);
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
    for (const intent of decision.commands) {
      const headers = faultHeaders(saga.faults, intent);
      writes.outbox.push(
        commandRow(identity, intent, incoming.messageId, now.toISOString(), headers),
      );
    }
    saga.snapshot = decision.saga;
    Object.assign(saga, nextTiming(decision, saga, now, this.stepTimeoutMs));
    writes.sagas.set(saga.saga_id, sagaUpdate(saga, decision));
    if (settledStatuses.includes(decision.status)) writes.settled.add(saga.order_id);
    else writes.settled.delete(saga.order_id);
    applied.push({ decision, createdAt: saga.created_at });
    return 'applied';
  }
}

function sagaUpdate(saga: LockedSaga, decision: Decision): SagaUpdate {
  return {
    saga_id: saga.saga_id,
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

async function lockSagas(
  tx: Pipeline,
  events: readonly SagaEvent[],
): Promise<Map<string, LockedSaga>> {
  const ids = [...new Set(events.map((e) => e.sagaId))].sort();
  const { rows } = await tx.query<LockedSaga>(
    `SELECT saga_id, order_id, snapshot, timeline_seq, faults, created_at,
            deadline_at, deadline_token, stuck_since
     FROM sagas WHERE saga_id = ANY($1::uuid[]) ORDER BY saga_id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((row) => [row.saga_id, { ...row, ...isoTiming(row) }]));
}

function isoTiming(row: Record<keyof SagaTiming, unknown>): SagaTiming {
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : null);
  return {
    deadline_at: iso(row.deadline_at),
    deadline_token: (row.deadline_token as string | null) ?? null,
    stuck_since: iso(row.stuck_since),
  };
}

async function seenMessages(tx: Pipeline, events: readonly SagaEvent[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ message_id: string }>(
    'SELECT message_id FROM inbox WHERE message_id = ANY($1)',
    [events.map((e) => e.messageId)],
  );
  return new Set(rows.map((row) => row.message_id));
}
