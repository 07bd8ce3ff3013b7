/**
 * The figures an operator watches that only the orders database knows: STUCK sagas by step and
 * reason, how long the oldest has waited, the money held in STUCK and COMPENSATING orders, and
 * the outbox backlog. One statement reads them all, for a scrape, never per message: the saga
 * rows come through the (status, created_at) index, and the outbox is small unless publishing
 * is failing, which is exactly when its size matters.
 */
import { Database } from '../../lib/db';

export interface AtRiskGroup {
  status: 'STUCK' | 'COMPENSATING';
  step: string | null;
  code: string | null;
  sagas: number;
  amount: number;
  oldest_stuck_seconds: number | null;
}

export interface RiskFigures {
  atRisk: AtRiskGroup[];
  outbox: { rows: number; oldest_seconds: number | null };
}

export async function readRiskFigures(db: Database): Promise<RiskFigures> {
  const { rows } = await db.raw<{ rows: Array<{ figures: RiskFigures }> }>(`
    WITH at_risk AS (
      SELECT status, step, reason ->> 'code' AS code, count(*)::int AS sagas,
             sum(total)::float8 AS amount,
             extract(epoch FROM now() - min(stuck_since))::float8 AS oldest_stuck_seconds
        FROM sagas WHERE status IN ('STUCK', 'COMPENSATING')
       GROUP BY status, step, reason ->> 'code'
    ), pending AS (
      SELECT count(*)::int AS rows,
             extract(epoch FROM now() - min(created_at))::float8 AS oldest_seconds
        FROM outbox
    )
    SELECT json_build_object(
      'atRisk', (SELECT coalesce(json_agg(at_risk), '[]'::json) FROM at_risk),
      'outbox', (SELECT row_to_json(pending) FROM pending)
    ) AS figures`);
  return rows[0]!.figures;
}
