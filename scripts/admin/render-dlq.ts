/** Human output for the dead-letter answers of the admin API: listing, replay and purge. */
import type { DeadLetterView } from '../../coordinator/admin/dead-letters';
import { FREE_TEXT_WIDTH, Column, orDash, plural, renderTable, truncate } from './table';

/** A dead letter as listed by GET /admin/dlq: the coordinator's view plus `obsolete`. */
export type DeadLetter = DeadLetterView & { obsolete: boolean };

export interface DlqAnswer {
  queues: Array<{ queue: string; count: number; messages: DeadLetter[] }>;
}

export interface DlqReplayAnswer {
  queue: string;
  replayed: number;
  resumed_sagas: string[];
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
  { header: 'REASON' },
  { header: 'OBSOLETE' },
];
const MESSAGE_INDENT = '    ';

/** Queue rows, each followed by its messages; message columns line up across all queues. */
export function renderDlq(answer: DlqAnswer): string {
  const [queueHeader, ...queueLines] = renderTable(
    queueColumns,
    answer.queues.map((q) => [q.queue, String(q.count)]),
  );
  const all = answer.queues.flatMap((q) => q.messages);
  const [messageHeader, ...messageLines] = renderTable(messageColumns, all.map(messageRow));
  const lines = [queueHeader!];
  let next = 0;
  answer.queues.forEach((queue, i) => {
    lines.push(queueLines[i]!);
    if (queue.messages.length === 0) return;
    const own = messageLines.slice(next, (next += queue.messages.length));
    lines.push(...[messageHeader!, ...own].map((line) => MESSAGE_INDENT + line));
    const unseen = queue.count - queue.messages.length;
    if (unseen > 0) lines.push(`${MESSAGE_INDENT}… ${plural(unseen, 'more message')}`);
  });
  return lines.join('\n');
}

function messageRow(m: DeadLetter): string[] {
  return [
    m.message_id,
    orDash(m.order_id),
    orDash(m.command),
    orDash(m.attempts),
    truncate(orDash(m.reason), FREE_TEXT_WIDTH),
    m.obsolete ? 'yes' : 'no',
  ];
}

export function describeDlqReplay(answer: DlqReplayAnswer): string {
  const resumed =
    answer.resumed_sagas.length > 0
      ? `resumed ${plural(answer.resumed_sagas.length, 'saga')}: ${answer.resumed_sagas.join(', ')}`
      : 'resumed no saga';
  return `replayed ${plural(answer.replayed, 'message')} from ${answer.queue}; ${resumed}`;
}

export function describePurge(answer: DlqPurgeAnswer): string {
  return `purged ${plural(answer.purged, 'message')} from ${answer.queue}`;
}
