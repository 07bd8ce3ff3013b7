/**
 * The fraud check the payment worker answers (`risk.assess`). The score is a pure function of
 * the order, so every delivery of one command, and every replay, gets the same verdict:
 *
 *   score = min(100, floor(total / 200) + units)
 *
 * where `units` is the number of items (the sum of the lines' quantities). Big baskets and big
 * amounts score high; an everyday order (a 20.00 book) scores 0–1. An order is rejected when
 * its score is above RISK_DECLINE_SCORE (default 80: e.g. a total of 16,200 with one item, or
 * 81 units of anything).
 */
import { OrderLine } from '../../sagas/contracts/messages';

export const RISK_SCORE_CODE = 'RISK_SCORE_TOO_HIGH';

export function riskScore(total: number, items: readonly OrderLine[]): number {
  const units = items.reduce((sum, line) => sum + line.quantity, 0);
  return Math.min(100, Math.floor(total / 200) + units);
}

export type RiskVerdict =
  { approved: true; score: number } | { approved: false; score: number; message: string };

export function assessRisk(
  total: number,
  items: readonly OrderLine[],
  declineScore: number,
): RiskVerdict {
  const score = riskScore(total, items);
  if (score <= declineScore) return { approved: true, score };
  return {
    approved: false,
    score,
    message: `risk score ${score} is above the limit of ${declineScore}`,
  };
}
