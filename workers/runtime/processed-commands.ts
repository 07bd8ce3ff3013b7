/**
 * The worker's inbox, keyed by command id, holding the reply it gave. Claiming a command id is
 * the first write of the batch transaction: a second worker instance handling the same command
 * at the same moment waits on the unique key, then finds it taken and answers from the record.
 */
import type { Knex } from 'knex';
import { Database } from '../../lib/db';
import { Command, Reply } from '../../sagas/contracts/messages';

export async function findReplies(db: Database | Knex.Transaction, commandIds: string[]) {
  const rows: Array<{ command_id: string; reply: Reply | null }> = await db('processed_commands')
    .select('command_id', 'reply')
    .whereIn('command_id', commandIds);
  return new Map(rows.filter((r) => r.reply !== null).map((r) => [r.command_id, r.reply!]));
}

/** Returns the command ids this transaction now owns. */
export async function claimCommands(
  trx: Knex.Transaction,
  commands: Command[],
): Promise<Set<string>> {
  const rows = commands.map((c) => ({
    command_id: c.data.command_id,
    type: c.type,
    order_id: c.order_id,
  }));
  const { rows: claimed } = await trx.raw<{ rows: Array<{ command_id: string }> }>(
    `INSERT INTO processed_commands (command_id, type, order_id, reply)
     SELECT command_id, type, order_id, 'null'::jsonb
     FROM jsonb_to_recordset(?::jsonb) AS r(command_id text, type text, order_id text)
     ON CONFLICT (command_id) DO NOTHING
     RETURNING command_id`,
    [JSON.stringify(rows)],
  );
  return new Set(claimed.map((row) => row.command_id));
}

export async function storeReplies(trx: Knex.Transaction, replies: Reply[]): Promise<void> {
  if (replies.length === 0) return;
  const rows = replies.map((reply) => ({ command_id: reply.data.command_id, reply }));
  await trx.raw(
    `UPDATE processed_commands AS p SET reply = r.reply
     FROM jsonb_to_recordset(?::jsonb) AS r(command_id text, reply jsonb)
     WHERE p.command_id = r.command_id`,
    [JSON.stringify(rows)],
  );
}
