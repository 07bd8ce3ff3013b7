/**
 * Gauges read from the orders database when scraped (see repositories/risk-figures.ts): one
 * statement per scrape, shared by every gauge below, and nothing on the path of a message.
 */
import type { Registry } from 'prom-client';
import { Database } from '../lib/db';
import { GaugeSample, sampledGauge, sharedRead } from '../lib/metrics';
import { RiskFigures, readRiskFigures } from './repositories/risk-figures';

/**
 * A reason code as a label value. Codes come from a small catalogue (STEP_TIMEOUT, POISON, a
 * worker's failure codes); anything that does not look like one is folded into OTHER so a
 * strange message can never grow the label's cardinality.
 */
export function reasonLabel(code: string | null): string {
  if (code === null) return 'NONE';
  return /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'OTHER';
}

export function registerRiskGauges(registry: Registry, db: Database): void {
  const read = sharedRead(() => readRiskFigures(db));
  const gauge = (
    name: string,
    help: string,
    labels: string[],
    pick: (figures: RiskFigures) => GaugeSample[],
  ) => sampledGauge(registry, name, help, labels, async () => pick(await read()));
  const stuck = (figures: RiskFigures) => figures.atRisk.filter((g) => g.status === 'STUCK');

  gauge(
    'order_saga_stuck_sagas',
    'STUCK sagas now, by step and reason code',
    ['step', 'reason'],
    (f) =>
      sumBy(
        stuck(f),
        (g) => ({ step: g.step ?? 'none', reason: reasonLabel(g.code) }),
        (g) => g.sagas,
      ),
  );
  gauge(
    'order_saga_stuck_oldest_age_seconds',
    'How long the oldest STUCK saga has been STUCK (0 when there is none)',
    [],
    (f) => [
      { labels: {}, value: Math.max(0, ...stuck(f).map((g) => g.oldest_stuck_seconds ?? 0)) },
    ],
  );
  gauge(
    'order_saga_money_at_risk',
    'Sum of order totals in STUCK and COMPENSATING orders, in the orders’ currency, by status',
    ['status'],
    (f) =>
      (['STUCK', 'COMPENSATING'] as const).map((status) => ({
        labels: { status },
        value: f.atRisk.filter((g) => g.status === status).reduce((sum, g) => sum + g.amount, 0),
      })),
  );
  gauge(
    'order_saga_outbox_pending_messages',
    'Outbox rows not yet published and deleted',
    [],
    (f) => [{ labels: {}, value: f.outbox.rows }],
  );
  gauge(
    'order_saga_outbox_oldest_age_seconds',
    'Age of the oldest outbox row (0 when the outbox is empty)',
    [],
    (f) => [{ labels: {}, value: f.outbox.oldest_seconds ?? 0 }],
  );
}

/** Groups that fold into one label set (two codes both shown as OTHER) are added up. */
function sumBy<T>(
  items: T[],
  labelsOf: (item: T) => Record<string, string>,
  valueOf: (item: T) => number,
): GaugeSample[] {
  const sums = new Map<string, GaugeSample>();
  for (const item of items) {
    const labels = labelsOf(item);
    const key = JSON.stringify(labels);
    const sample = sums.get(key) ?? { labels, value: 0 };
    sample.value += valueOf(item);
    sums.set(key, sample);
  }
  return [...sums.values()];
}
