/** One saga as the coordinator keeps it: what the order view leaves out (version, state, deadline). */
import { Database } from '../../lib/db';

export interface SagaDetailsRow {
  saga_id: string;
  order_id: string;
  user_id: string;
  status: string;
  state: string;
  step: string | null;
  version: number;
  reason: unknown;
  last_seq: number;
  deadline_at: Date | null;
  stuck_since: Date | null;
  created_at: Date;
  updated_at: Date;
  /** Measured by PostgreSQL, so a client with a skewed clock still shows the right age. */
  age_seconds: number;
}

export async function findSagaDetails(
  db: Database,
  sagaId: string,
): Promise<SagaDetailsRow | undefined> {
  return db('sagas')
    .select(
      'saga_id',
      'order_id',
      'user_id',
      'status',
      'state',
      'step',
      'version',
      'reason',
      'timeline_seq AS last_seq',
      'deadline_at',
      'stuck_since',
      'created_at',
      'updated_at',
      db.raw('extract(epoch FROM now() - created_at)::float8 AS age_seconds'),
    )
    .where({ saga_id: sagaId })
    .first();
}
