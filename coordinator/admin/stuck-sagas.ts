/** The operator's view of STUCK sagas: why each is stuck (its diagnosis) and for how long. */
import { Database } from '../../lib/db';
import { KeysetCursor } from '../../lib/http/paging';
import { UNKNOWN_VERSION_CODE } from '../../sagas/order/park';
import { isRegistered } from '../../sagas/order/versions';

export interface StuckFilter {
  step?: string;
  code?: string;
  minAgeSeconds?: number;
  limit: number;
  after?: KeysetCursor;
}

export interface StuckSaga {
  saga_id: string;
  order_id: string;
  step: string | null;
  reason: { step: string; code: string; message: string } | null;
  stuck_since: string;
  age_seconds: number;
  diagnosis: string;
}

interface Row {
  saga_id: string;
  order_id: string;
  step: string | null;
  reason: StuckSaga['reason'];
  version: number;
  stuck_from: string | null;
  stuck_since: string;
  age_seconds: number;
}

export async function listStuckSagas(
  db: Database,
  filter: StuckFilter,
): Promise<{ sagas: StuckSaga[]; next: StuckFilter['after'] | null }> {
  const query = db('sagas')
    .select(
      'saga_id',
      'order_id',
      'step',
      'reason',
      'version',
      db.raw(`snapshot #>> '{context,stuckFrom}' AS stuck_from`),
      db.raw('stuck_since::text AS stuck_since'),
      db.raw('floor(extract(epoch FROM now() - stuck_since))::int AS age_seconds'),
    )
    .where({ status: 'STUCK' })
    .orderBy([
      { column: 'stuck_since', order: 'asc' },
      { column: 'saga_id', order: 'asc' },
    ])
    .limit(filter.limit + 1);
  if (filter.step) query.where({ step: filter.step });
  if (filter.code) query.whereRaw(`reason ->> 'code' = ?`, [filter.code]);
  if (filter.minAgeSeconds !== undefined) {
    query.whereRaw('stuck_since <= now() - make_interval(secs => ?)', [filter.minAgeSeconds]);
  }
  if (filter.after) {
    query.whereRaw('(stuck_since, saga_id) > (?::timestamptz, ?::uuid)', [
      filter.after.at,
      filter.after.sagaId,
    ]);
  }
  const rows: Row[] = await query;
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return {
    sagas: page.map(present),
    next:
      rows.length > filter.limit && last ? { at: last.stuck_since, sagaId: last.saga_id } : null,
  };
}

function present(row: Row): StuckSaga {
  return {
    saga_id: row.saga_id,
    order_id: row.order_id,
    step: row.step,
    reason: row.reason,
    stuck_since: new Date(row.stuck_since).toISOString(),
    age_seconds: row.age_seconds,
    diagnosis: diagnose(row),
  };
}

export function diagnose(row: Pick<Row, 'version' | 'reason' | 'stuck_from'>): string {
  if (!isRegistered(row.version)) return `unknown version ${row.version}`;
  if (row.reason?.code === UNKNOWN_VERSION_CODE) {
    return `parked for an unknown version, ${row.version}, which is registered again: replay resumes it`;
  }
  if (row.stuck_from?.startsWith('compensating')) {
    return `compensation failed: ${describeReason(row.reason)}`;
  }
  if (row.reason?.code === 'STEP_TIMEOUT') return 'no reply past its deadline';
  return `dead-lettered command: ${describeReason(row.reason)}`;
}

function describeReason(reason: Row['reason']): string {
  return reason ? `${reason.code} — ${reason.message}` : 'no reason recorded';
}
