/**
 * The set-based writes of one saga transaction. Each statement takes a whole batch as one JSON
 * parameter (jsonb_to_recordset), so a transaction costs the same few round trips whether it
 * carries one saga or two hundred.
 */
import type { Knex } from 'knex';
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
}

const insertTimelineSql = `INSERT INTO timeline (saga_id, seq, at, type, details)
       SELECT saga_id, seq, at, type, details
       FROM jsonb_to_recordset(?::jsonb)
         AS r(saga_id uuid, seq int, at timestamptz, type text, details jsonb)`;

const insertOutboxSql = `INSERT INTO outbox (message_id, exchange, routing_key, type, body, headers)
       SELECT message_id, exchange, routing_key, type, body, headers
       FROM jsonb_to_recordset(?::jsonb)
         AS r(message_id text, exchange text, routing_key text, type text, body text,
              headers jsonb)`;

/**
 * Every write of a batch in ONE statement (data-modifying CTEs): snapshots, timeline, outbox,
 * inbox, and a NOTIFY that wakes the relays when the transaction commits.
 */
export async function writeSagaBatch(
  trx: Knex.Transaction,
  writes: SagaBatchWrites,
): Promise<void> {
  await trx.raw(
    `WITH updated AS (
       UPDATE sagas AS s
       SET snapshot = r.snapshot, status = r.status, state = r.state, step = r.step,
           reason = r.reason, timeline_seq = r.timeline_seq, deadline_at = r.deadline_at,
           deadline_token = r.deadline_token, stuck_since = r.stuck_since, updated_at = now()
       FROM jsonb_to_recordset(?::jsonb)
         AS r(saga_id uuid, snapshot jsonb, status text, state text, step text, reason jsonb,
              timeline_seq int, deadline_at timestamptz, deadline_token uuid,
              stuck_since timestamptz)
       WHERE s.saga_id = r.saga_id
     ), timeline_rows AS (
       ${insertTimelineSql}
     ), outbox_rows AS (
       ${insertOutboxSql} RETURNING 1
     ), inbox_rows AS (
       INSERT INTO inbox (message_id, saga_id, type, outcome)
       SELECT message_id, saga_id, type, outcome
       FROM jsonb_to_recordset(?::jsonb) AS r(message_id text, saga_id uuid, type text, outcome text)
       ON CONFLICT (message_id) DO NOTHING
     )
     SELECT pg_notify('outbox', '') WHERE EXISTS (SELECT 1 FROM outbox_rows)`,
    [
      JSON.stringify(writes.sagas),
      JSON.stringify(writes.timeline),
      JSON.stringify(writes.outbox),
      JSON.stringify(writes.inbox),
    ],
  );
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
