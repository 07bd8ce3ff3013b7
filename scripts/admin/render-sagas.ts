/** Human output for the saga answers of the admin API: the stuck list, replay and cancel. */
import type { ActionResult } from '../../coordinator/admin/operator-actions';
import type { StuckSaga } from '../../coordinator/admin/stuck-sagas';
import { Column, formatAge, oneLine, orDash, plural, renderTable } from './table';
import { View } from './view';

// The answers are the coordinator's own types, so the CLI cannot drift from the API.
export type { ActionResult, StuckSaga };

export interface StuckAnswer {
  sagas: StuckSaga[];
  next_cursor: string | null;
}

export interface BulkAnswer {
  dry_run: boolean;
  count: number;
  sagas: ActionResult[];
}

const stuckColumns: Column[] = [
  { header: 'SAGA' },
  { header: 'ORDER' },
  { header: 'STEP' },
  { header: 'CODE' },
  { header: 'AGE', align: 'right' },
  { header: 'DIAGNOSIS', wraps: true },
];

export function renderStuck(answer: StuckAnswer, view: View): string {
  if (answer.sagas.length === 0) return 'no stuck sagas';
  const rows = answer.sagas.map((s) => [
    s.saga_id,
    s.order_id,
    orDash(s.step),
    s.reason?.code ? view.colors.yellow(s.reason.code) : '-',
    formatAge(s.age_seconds),
    oneLine(s.diagnosis),
  ]);
  const more = answer.next_cursor ? ['(more: raise --limit or narrow the filter)'] : [];
  return [...renderTable(stuckColumns, rows, view), ...more].join('\n');
}

export function describeCommands(result: ActionResult): string {
  if (result.result === 'rejected') return oneLine(result.detail ?? 'rejected');
  if (result.commands.length === 0) return 'nothing';
  return result.commands.map((c) => `${c.command} (attempt ${c.attempt})`).join(', ');
}

/** `status` is the saga's status when the request came, before the action took effect. */
export function describeAction(
  action: 'replay' | 'cancel',
  result: ActionResult,
  view: View,
): string {
  const target = `saga ${result.saga_id} (order ${result.order_id})`;
  const sent = describeCommands(result);
  const { green, yellow, red } = view.colors;
  if (result.result === 'dry_run') {
    return `${action} ${yellow('dry run')} on ${target}: would send ${sent}; saga is ${result.status}`;
  }
  if (result.result === 'rejected') return `${action} ${red('rejected')} for ${target}: ${sent}`;
  return `${action} ${green('applied')} to ${target}: sends ${sent}; saga was ${result.status}`;
}

const bulkColumns: Column[] = [
  { header: 'SAGA' },
  { header: 'ORDER' },
  { header: 'RESULT' },
  { header: 'COMMANDS', wraps: true },
];

export function renderBulk(answer: BulkAnswer, view: View): string {
  const verb = answer.dry_run ? 'would replay' : 'replayed';
  const head = `${verb} ${plural(answer.count, 'saga')}`;
  if (answer.sagas.length === 0) return `${head} (none matched)`;
  const rows = answer.sagas.map((r) => [
    r.saga_id,
    r.order_id,
    colorResult(r.result, view),
    describeCommands(r),
  ]);
  return [head, ...renderTable(bulkColumns, rows, view)].join('\n');
}

function colorResult(result: ActionResult['result'], view: View): string {
  const paint = {
    applied: view.colors.green,
    dry_run: view.colors.yellow,
    rejected: view.colors.red,
  };
  return paint[result](result);
}
