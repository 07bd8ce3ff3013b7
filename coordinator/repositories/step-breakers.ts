/** The persisted breaker state of each step, the one every coordinator obeys. */
import { Database } from '../../lib/db';
import { BreakerState } from '../breaker/policy';

export interface StepBreakerRow {
  step: string;
  state: BreakerState;
  failure_rate: number | null;
  actor: string | null;
  reason: string | null;
  changed_at: Date;
}

export async function readBreakers(db: Database): Promise<StepBreakerRow[]> {
  const { rows } = await db.raw<{ rows: StepBreakerRow[] }>(
    'SELECT step, state, failure_rate, actor, reason, changed_at FROM step_breakers',
  );
  return rows;
}

export interface BreakerWrite {
  step: string;
  state: BreakerState;
  failureRate?: number;
  actor: string;
  reason: string;
  /** Written only while the stored state is one of these (absent row counts as closed). */
  from: readonly BreakerState[];
}

/**
 * Moves a step's breaker, unless someone moved it elsewhere first (an operator's pause must not
 * be undone by a coordinator's automatic change). Returns whether it was written.
 */
export async function writeBreaker(db: Database, write: BreakerWrite): Promise<boolean> {
  const insertable = write.from.includes('closed');
  const { rows } = await db.raw<{ rows: Array<{ step: string }> }>(
    `INSERT INTO step_breakers AS b (step, state, failure_rate, actor, reason, changed_at)
     SELECT ?, ?, ?, ?, ?, now() WHERE ? OR EXISTS (SELECT 1 FROM step_breakers WHERE step = ?)
     ON CONFLICT (step) DO UPDATE SET state = excluded.state,
       failure_rate = COALESCE(excluded.failure_rate, b.failure_rate), actor = excluded.actor,
       reason = excluded.reason, changed_at = now()
     WHERE b.state = ANY(?::text[])
     RETURNING step`,
    [
      write.step,
      write.state,
      write.failureRate ?? null,
      write.actor,
      write.reason,
      insertable,
      write.step,
      [...write.from],
    ],
  );
  return rows.length > 0;
}

/** Commands held in the outbox for each of these routing keys. */
export async function heldCounts(
  db: Database,
  routingKeys: readonly string[],
): Promise<Map<string, number>> {
  const { rows } = await db.raw<{ rows: Array<{ routing_key: string; count: string }> }>(
    `SELECT routing_key, count(*) AS count FROM outbox
     WHERE routing_key = ANY(?::text[]) GROUP BY routing_key`,
    [[...routingKeys]],
  );
  return new Map(rows.map((row) => [row.routing_key, Number(row.count)]));
}
