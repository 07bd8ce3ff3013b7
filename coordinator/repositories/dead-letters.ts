/**
 * The mirror of the dead-letter queues: one row per dead letter, written when the coordinator
 * hears of it, removed when it is replayed or purged. Listing reads here, so it costs an index
 * scan and never touches the messages themselves.
 */
import { Database } from '../../lib/db';
import { DeadLetterView } from '../dead-letter-view';

export interface MirroredDeadLetter {
  queue: string;
  view: DeadLetterView;
}

/** Records dead letters; one already recorded (a redelivered notice) is refreshed. */
export async function recordDeadLetters(
  db: Database,
  letters: readonly MirroredDeadLetter[],
): Promise<void> {
  if (letters.length === 0) return;
  await db.raw(
    `INSERT INTO dead_letters (queue, message_id, view)
     SELECT queue, view->>'message_id', view FROM jsonb_to_recordset(?::jsonb) AS r(queue text, view jsonb)
     ON CONFLICT (queue, message_id) DO UPDATE SET view = excluded.view`,
    [JSON.stringify(letters)],
  );
}

/** A page of one queue's dead letters in arrival order, after the row `afterId`. */
export async function pageOfDeadLetters(
  db: Database,
  queue: string,
  page: { limit: number; afterId?: number },
): Promise<{ messages: DeadLetterView[]; lastId: number | null; more: boolean }> {
  const rows: Array<{ id: string; view: DeadLetterView }> = await db('dead_letters')
    .select('id', 'view')
    .where({ queue })
    .andWhere('id', '>', page.afterId ?? 0)
    .orderBy('id')
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  return {
    messages: shown.map((r) => r.view),
    lastId: shown.length > 0 ? Number(shown[shown.length - 1]!.id) : null,
    more: rows.length > page.limit,
  };
}

export async function forgetDeadLetters(
  db: Database,
  queue: string,
  messageIds: readonly string[],
): Promise<void> {
  if (messageIds.length === 0) return;
  await db('dead_letters').where({ queue }).whereIn('message_id', messageIds).del();
}

/** The newest row of a queue now: a purge forgets up to it, not what arrives after. */
export async function lastDeadLetterId(db: Database, queue: string): Promise<number> {
  const row = await db('dead_letters').where({ queue }).max({ id: 'id' }).first();
  return Number(row?.id ?? 0);
}

/** Forgets a queue's rows up to `upToId`, in batches so that no statement runs long. */
export async function forgetQueueUpTo(db: Database, queue: string, upToId: number): Promise<void> {
  for (;;) {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `DELETE FROM dead_letters WHERE id IN (
         SELECT id FROM dead_letters WHERE queue = ? AND id <= ? ORDER BY id LIMIT 5000)`,
      [queue, upToId],
    );
    if (rowCount < 5000) return;
  }
}
