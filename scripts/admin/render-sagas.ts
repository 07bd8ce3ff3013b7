/** Human output for the saga answers of the admin API: the stuck list, replay and cancel. */
import type { ActionResult } from '../../coordinator/admin/operator-actions';
import type { StuckSaga } from '../../coordinator/admin/stuck-sagas';
import { FREE_TEXT_WIDTH, Column, formatAge, orDash, plural, renderTable, truncate } from './table';

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
  { header: 'DIAGNOSIS' },
];

export function renderStuck(answer: StuckAnswer): string {
  if (answer.sagas.length === 0) return 'no stuck sagas';
  const rows = answer.sagas.map((s) => [
    s.saga_id,
    s.order_id,
    orDash(s.step),
    orDash(s.reason?.code),
    formatAge(s.age_seconds),
    truncate(s.diagnosis, FREE_TEXT_WIDTH),
  ]);
  const more = answer.next_cursor ? ['(more: raise --limit or narrow the filter)'] : [];
  return [...renderTable(stuckColumns, rows), ...more].join('\n');
}

export function describeCommands(result: ActionResult): string {
  if (result.result === 'rejected') return truncate(result.detail ?? 'rejected', FREE_TEXT_WIDTH);
  if (result.commands.length === 0) return 'nothing';
  return result.commands.map((c) => `${c.command} (attempt ${c.attempt})`).join(', ');
}

/** `status` is the saga's status when the request came, before the action took effect. */
export function describeAction(action: 'replay' | 'cancel', result: ActionResult): string {
  const target = `saga ${result.saga_id} (order ${result.order_id})`;
  const sent = describeCommands(result);
  if (result.result === 'dry_run') {
    return `${action} dry run on ${target}: would send ${sent}; saga is ${result.status}`;
  }
  if (result.result === 'rejected') return `${action} rejected for ${target}: ${sent}`;
  return `${action} applied to ${target}: sends ${sent}; saga was ${result.status}`;
}

export function renderBulk(answer: BulkAnswer): string {
  const verb = answer.dry_run ? 'would replay' : 'replayed';
  const head = `${verb} ${plural(answer.count, 'saga')}`;
  if (answer.sagas.length === 0) return `${head} (none matched)`;
  const columns = ['SAGA', 'ORDER', 'RESULT', 'COMMANDS'].map((header) => ({ header }));
  const rows = answer.sagas.map((r) => [r.saga_id, r.order_id, r.result, describeCommands(r)]);
  return [head, ...renderTable(columns, rows)].join('\n');
}
