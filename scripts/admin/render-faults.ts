/** Human output for the fault-rule answers of the admin API: listing, add and clear. */
import { FaultRule } from '../../sagas/contracts/fault-rules';
import { Column, orDash, plural, renderTable } from './table';
import { View } from './view';

export interface FaultsAnswer {
  fault_injection: boolean;
  rules: FaultRule[];
}

export interface FaultsClearAnswer {
  removed: number;
}

const faultColumns: Column[] = [
  { header: 'ID' },
  { header: 'TARGET' },
  { header: 'MODE' },
  { header: 'PROBABILITY', align: 'right' },
  { header: 'LATENCY', align: 'right' },
  { header: 'COUNT', align: 'right' },
  { header: 'EXPIRES' },
];

export function renderFaults(answer: FaultsAnswer, view: View): string {
  const state = answer.fault_injection ? view.colors.yellow('on') : 'off';
  const head = `fault injection: ${state}`;
  if (answer.rules.length === 0) return `${head}\nno fault rules`;
  return [head, ...faultTable(answer.rules, view)].join('\n');
}

export function describeAddedRule(rule: FaultRule, view: View): string {
  return [`added fault rule ${rule.id}`, ...faultTable([rule], view)].join('\n');
}

export function describeCleared(answer: FaultsClearAnswer): string {
  return `removed ${plural(answer.removed, 'fault rule')}`;
}

function faultTable(rules: readonly FaultRule[], view: View): string[] {
  const rows = rules.map((r) => [
    r.id,
    r.target,
    r.mode,
    String(r.probability),
    r.latency_ms === undefined || r.latency_ms === null ? '-' : `${r.latency_ms}ms`,
    orDash(r.count),
    r.expires_at ?? 'never',
  ]);
  return renderTable(faultColumns, rows, view);
}
