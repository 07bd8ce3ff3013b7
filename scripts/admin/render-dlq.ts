/** Human output for the dead-letter answers of the admin API: listing, replay and purge. */
import type { DeadLetterView } from '../../coordinator/admin/dead-letters';
import { Column, oneLine, orDash, plural, renderTable } from './table';
import { View } from './view';

/** A dead letter as listed by GET /admin/dlq: the coordinator's view plus `obsolete`. */
export type DeadLetter = DeadLetterView & { obsolete: boolean };

export interface DlqQueue {
  queue: string;
  count: number;
  messages: DeadLetter[];
  next_cursor?: string | null;
}

export interface DlqAnswer {
  queues: DlqQueue[];
}

export interface DlqReplayAnswer {
  queue: string;
  replayed: number;
  /** The first 500 resumed sagas; `resumed` counts them all. */
  resumed_sagas: string[];
  resumed?: number;
}

export interface DlqPurgeAnswer {
  queue: string;
  purged: number;
}

const queueColumns: Column[] = [{ header: 'QUEUE' }, { header: 'COUNT', align: 'right' }];
const messageColumns: Column[] = [
  { header: 'MESSAGE' },
  { header: 'ORDER' },
  { header: 'COMMAND' },
  { header: 'ATTEMPTS', align: 'right' },
  { header: 'OBSOLETE' },
  { header: 'REASON', wraps: true },
];
const MESSAGE_INDENT = 4;

/** Each queue with its count, followed by its messages indented under it. */
export function renderDlq(answer: DlqAnswer, view: View): string {
  const [header, ...queueLines] = renderTable(
    queueColumns,
    answer.queues.map((q) => [q.queue, String(q.count)]),
    view,
  );
  const lines = [header!];
  for (const [i, queue] of answer.queues.entries()) {
    lines.push(queueLines[i]!);
    if (queue.messages.length === 0) continue;
    const rows = queue.messages.map((m) => messageRow(m, view));
    lines.push(...renderTable(messageColumns, rows, view, MESSAGE_INDENT));
    const unseen = queue.count - queue.messages.length;
    if (unseen > 0) lines.push(`${' '.repeat(MESSAGE_INDENT)}… ${plural(unseen, 'more message')}`);
  }
  return lines.join('\n');
}

function messageRow(m: DeadLetter, view: View): string[] {
  return [
    m.message_id,
    orDash(m.order_id),
    orDash(m.command),
    orDash(m.attempts),
    m.obsolete ? view.colors.dim('yes') : 'no',
    oneLine(orDash(m.reason)),
  ];
}

export function describeDlqReplay(answer: DlqReplayAnswer): string {
  const count = answer.resumed ?? answer.resumed_sagas.length;
  const named = answer.resumed_sagas.join(', ');
  const unnamed = count - answer.resumed_sagas.length;
  const resumed =
    count > 0
      ? `resumed ${plural(count, 'saga')}: ${named}${unnamed > 0 ? ` and ${unnamed} more` : ''}`
      : 'resumed no saga';
  return `replayed ${plural(answer.replayed, 'message')} from ${answer.queue}; ${resumed}`;
}

export function describePurge(answer: DlqPurgeAnswer): string {
  return `purged ${plural(answer.purged, 'message')} from ${answer.queue}`;
}
