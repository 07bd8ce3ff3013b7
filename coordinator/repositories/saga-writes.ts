/**
 * The set-based writes of one saga transaction. Each statement takes a whole batch as one JSON
 * parameter (jsonb_to_recordset), so a transaction costs the same few round trips whether it
 * carries one saga or two hundred.
 */
import { TimelineEntry } from '../../sagas/order/decide';
import { OutboxRow } from '../outgoing';

export interface TimelineRow {
  saga_id: string;
  seq: number;
  at: string;
  type: string;
  details: Record<string, unknown>;
}

export interface InboxRow {
  message_id: string;
  saga_id: string | null;
  type: string;
  outcome: 'applied' | 'ignored' | 'orphan';
}

export interface SagaUpdate {
  saga_id: string;
  /** The revision the batch decided on: the row is written only if it is still at it. */
  revision: number;
  snapshot: unknown;
  status: string;
  state: string;
  step: string | null;
  reason: unknown;
  timeline_seq: number;
  deadline_at: string | null;
  deadline_token: string | null;
  stuck_since: string | null;
}

export interface SagaBatchWrites {
  sagas: SagaUpdate[];
  timeline: TimelineRow[];
  outbox: OutboxRow[];
  inbox: InboxRow[];
  /** Orders that reached an outcome a client may wait for; other coordinators are told. */
  settledOrderIds: string[];
}

/** An outbox row as committed: its id is what the fast path deletes once it is confirmed. */
export interface CommittedOutboxRow extends OutboxRow {
  id: string;
}

/** The columns of a timeline insert from a JSON batch (`$n` is that batch's parameter). */
export const timelineRecordset = (param: string) =>
  `jsonb_to_recordset(${param}::jsonb)
         AS r(saga_id uuid, seq int, at timestamptz, type text, details jsonb)`;

/** The columns of an outbox insert from a JSON batch. */
export const outboxRecordset = (param: string) =>
  `jsonb_to_recordset(${param}::jsonb)
         AS r(saga_id uuid, message_id text, exchange text, routing_key text, type text,
              body text, headers jsonb)`;

export const outboxColumns = 'message_id, exchange, routing_key, type, body, headers';

/** Wakes waiters on other coordinators: one notification per transaction that settled orders. */
export const SETTLED_CHANNEL = 'order_settled';

/**
 * Every write of a batch in ONE statement (data-modifying CTEs): snapshots, timeline, outbox,
 * inbox, and a notification naming the orders that settled. A saga row is written only if it is
 * still at the revision the batch decided on, and an inbox record only if the message is new
 * (or was only ignored before, and is applied now);
 * unless every one of them lands, saga_writes_expected fails the statement and nothing of it
 * commits (SQLSTATE SA001): the batch was overtaken and must be decided again on fresh rows.
 * Returns the committed outbox rows' ids, which the caller publishes right after the commit,
 * and the settled orders as committed, which answer the clients waiting on them without a read.
 */
export function sagaBatchStatement(writes: SagaBatchWrites): [string, unknown[]] {
  const expected = writes.sagas.length + writes.inbox.filter((i) => i.outcome !== 'orphan').length;
  return [
    `WITH updated AS (
       UPDATE sagas AS s
       SET snapshot = r.snapshot, status = r.status, state = r.state, step = r.step,
           reason = r.reason, timeline_seq = r.timeline_seq, deadline_at = r.deadline_at,
           deadline_token = r.deadline_token, stuck_since = r.stuck_since,
           revision = r.revision + 1, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb)
         AS r(saga_id uuid, revision int, snapshot jsonb, status text, state text, step text,
              reason jsonb, timeline_seq int, deadline_at timestamptz, deadline_token uuid,
              stuck_since timestamptz)
       WHERE s.saga_id = r.saga_id AND s.revision = r.revision
       RETURNING CASE WHEN s.order_id = ANY($7::text[]) THEN json_build_object(
         'saga_id', s.saga_id, 'order_id', s.order_id, 'user_id', s.user_id,
         'request_hash', s.request_hash, 'status', s.status, 'step', s.step, 'items', s.items,
         'total', s.total, 'reason', s.reason, 'created_at', s.created_at,
         'updated_at', s.updated_at) END AS settled
     ), timeline_rows AS (
       INSERT INTO timeline (saga_id, seq, at, type, details)
       SELECT saga_id, seq, at, type, details FROM ${timelineRecordset('$2')}
     ), inbox_rows AS (
       INSERT INTO inbox (message_id, saga_id, type, outcome)
       SELECT message_id, saga_id, type, outcome
       FROM jsonb_to_recordset($4::jsonb) AS r(message_id text, saga_id uuid, type text, outcome text)
       ON CONFLICT (message_id) DO UPDATE SET outcome = EXCLUDED.outcome
         WHERE inbox.outcome = 'ignored' AND EXCLUDED.outcome = 'applied'
       RETURNING outcome
     ), notified AS (
       SELECT pg_notify('${SETTLED_CHANNEL}', chunk) FROM unnest($5::text[]) AS chunk
     ), outbox_rows AS (
       INSERT INTO outbox (${outboxColumns})
       SELECT ${outboxColumns} FROM ${outboxRecordset('$3')}
       RETURNING id, message_id
     )
     SELECT saga_writes_expected(
              (SELECT count(*) FROM updated)
                + (SELECT count(*) FROM inbox_rows WHERE outcome <> 'orphan'),
              $6) AS landed,
            (SELECT count(*) FROM notified) AS notified,
            coalesce((SELECT json_agg(json_build_object('id', id::text, 'message_id', message_id))
                      FROM outbox_rows), '[]'::json) AS outbox,
            coalesce((SELECT json_agg(settled) FROM updated WHERE settled IS NOT NULL),
                     '[]'::json) AS settled`,
    [
      JSON.stringify(writes.sagas),
      JSON.stringify(writes.timeline),
      JSON.stringify(writes.outbox),
      JSON.stringify(writes.inbox),
      notificationChunks(writes.settledOrderIds),
      expected,
      writes.settledOrderIds,
    ],
  ];
}

/** The statement's failure when a saga or a message of the batch was taken meanwhile. */
export function isOvertaken(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SA001';
}

/** A notification payload holds at most 8,000 bytes: order ids go comma-separated in chunks. */
export function notificationChunks(orderIds: readonly string[], maxBytes = 7_900): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const id of orderIds) {
    if (current && current.length + id.length + 1 > maxBytes) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current},${id}` : id;
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Pairs the ids a batch insert returned with the rows it was given, by message id. */
export function committedRows(
  rows: readonly OutboxRow[],
  returned: ReadonlyArray<{ id: string; message_id: string }>,
): CommittedOutboxRow[] {
  const ids = new Map(returned.map((r) => [r.message_id, r.id]));
  return rows.flatMap((row) => {
    const id = ids.get(row.message_id);
    return id === undefined ? [] : [{ ...row, id }];
  });
}

/** Adds a decision's timeline entries with consecutive sequence numbers; returns the last. */
export function appendTimelineEntries(
  rows: TimelineRow[],
  sagaId: string,
  lastSeq: number,
  entries: readonly TimelineEntry[],
  at: string,
): number {
  let seq = lastSeq;
  for (const { type, ...details } of entries) {
    seq += 1;
    rows.push({ saga_id: sagaId, seq, at, type, details });
  }
  return seq;
}
