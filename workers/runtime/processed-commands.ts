/**
 * The worker's inbox, keyed by command id, holding the reply it gave. The record is written in
 * the same transaction as the command's effects, as its last statement: a second worker instance
 * handling the same command at the same moment waits on the unique key, then fails, rolls its
 * effects back and answers from the record the first one committed.
 */
import { Database } from '../../lib/db';
import { Command, Reply } from '../../sagas/contracts/messages';

export async function findReplies(db: Database, commandIds: string[]) {
  if (commandIds.length === 0) return new Map<string, Reply>();
  const rows: Array<{ command_id: string; reply: Reply }> = await db('processed_commands')
    .select('command_id', 'reply')
    .whereIn('command_id', commandIds);
  return new Map(rows.map((r) => [r.command_id, r.reply]));
}

/** The statement that records replies; it fails with a unique violation if one was taken. */
export function recordRepliesStatement(
  answered: ReadonlyArray<{ command: Command; reply: Reply }>,
): [string, unknown[]] {
  const rows = answered.map(({ command, reply }) => ({
    command_id: command.data.command_id,
    type: command.type,
    order_id: command.order_id,
    reply,
  }));
  return [
    `INSERT INTO processed_commands (command_id, type, order_id, reply)
     SELECT command_id, type, order_id, reply
     FROM jsonb_to_recordset($1::jsonb)
       AS r(command_id text, type text, order_id text, reply jsonb)`,
    [JSON.stringify(rows)],
  ];
}

/** A unique violation: another instance committed the same command (or effect) first. */
export function isTakenElsewhere(error: unknown): boolean {
  return (error as { code?: unknown })?.code === '23505';
}
