/**
 * Releases commands a paused step held in the outbox, a few at a time. The claim, the publish
 * (with confirms) and the deletion are one transaction, as in the relay, so a crash leaves the
 * rows to be released again. Each released saga gets a fresh step deadline (its wait in the
 * outbox must not count as a timeout) and a STEP_RESUMED entry on its timeline; its revision
 * moves, so a coordinator holding it in its cache reads it afresh.
 */
import { Database } from '../../lib/db';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { outgoingMessage } from '../outgoing';
import { CommittedOutboxRow } from './saga-writes';

export interface ReleaseRequest {
  step: string;
  routingKey: string;
  limit: number;
  stepTimeoutMs: number;
}

/** Publishes up to `limit` held commands of a step, oldest first; returns how many. */
export async function releaseHeld(
  db: Database,
  publisher: ConfirmPublisher,
  request: ReleaseRequest,
): Promise<number> {
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: CommittedOutboxRow[] }>(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE routing_key = ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED
       ) RETURNING id, message_id, exchange, routing_key, type, body, headers`,
      [request.routingKey, request.limit],
    );
    if (rows.length === 0) return 0;
    await trx.raw(
      `WITH released AS (
         UPDATE sagas s SET
           deadline_at = CASE WHEN s.deadline_at IS NULL THEN NULL
                              ELSE now() + make_interval(secs => ?) END,
           timeline_seq = s.timeline_seq + 1, revision = s.revision + 1, updated_at = now()
         WHERE s.saga_id IN (SELECT DISTINCT (b::jsonb ->> 'saga_id')::uuid FROM unnest(?::text[]) b)
         RETURNING s.saga_id, s.timeline_seq
       )
       INSERT INTO timeline (saga_id, seq, at, type, details)
       SELECT saga_id, timeline_seq, now(), 'STEP_RESUMED', jsonb_build_object('step', ?::text)
       FROM released`,
      [request.stepTimeoutMs / 1000, rows.map((row) => row.body), request.step],
    );
    await publisher.publishAll(rows.map(outgoingMessage));
    return rows.length;
  });
}
