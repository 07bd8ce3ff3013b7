/** Human output for the step breakers of the admin API. */
import { Column, orDash, renderTable } from './table';
import { View } from './view';

export interface StepAnswer {
  step: string;
  state: string;
  failure_rate: number | null;
  actor: string | null;
  reason: string | null;
  changed_at: string | null;
  held_commands: number;
}

const columns: Column[] = [
  { header: 'STEP' },
  { header: 'STATE' },
  { header: 'FAILURE RATE', align: 'right' },
  { header: 'HELD', align: 'right' },
  { header: 'BY' },
  { header: 'REASON' },
  { header: 'SINCE' },
];

export function renderSteps(answer: { steps: StepAnswer[] }, view: View): string {
  return renderTable(
    columns,
    answer.steps.map((s) => row(s, view)),
    view,
  ).join('\n');
}

export function describeStep(answer: StepAnswer, view: View): string {
  return renderTable(columns, [row(answer, view)], view).join('\n');
}

function row(s: StepAnswer, view: View): string[] {
  const state = s.state === 'closed' ? s.state : view.colors.yellow(s.state);
  const rate = s.failure_rate === null ? '-' : `${Math.round(s.failure_rate * 100)} %`;
  return [
    s.step,
    state,
    rate,
    String(s.held_commands),
    orDash(s.actor),
    orDash(s.reason),
    orDash(s.changed_at),
  ];
}
