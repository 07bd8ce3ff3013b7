/**
 * Dead letters per queue, each linked to its saga, with the reason and the attempts it had.
 * Replay sends the chosen messages back to their queue (and resumes their sagas); purge deletes
 * a queue's messages for good, so it asks for the queue's name first.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi } from '../../api/admin';
import type { DeadLetter } from '../../api/types';
import { AdminGate, forgetRefusedToken } from '../../components/admin-gate';
import { ErrorNotice, Loading } from '../../components/notice';
import { formatCount } from '../../format';
import { useLoad, useTitle } from '../../hooks';
import { PurgeDialog, ReplayDialog } from './dialogs';
import { QueueCard } from './queue-card';

export type Pending =
  | { kind: 'replay'; queue: string; messages: DeadLetter[] }
  | { kind: 'purge'; queue: string; count: number };

export function DeadLettersPage() {
  useTitle('Dead letters');
  return (
    <>
      <div class="page-head">
        <h1>Dead letters</h1>
        <p class="hint">
          Messages that failed every retry, or could never be processed, wait here with the reason
          of their last failure. Replaying one sends it back to its queue with a fresh retry budget.
        </p>
      </div>
      <AdminGate what="The dead-letter queues">{(api) => <DeadLetterQueues api={api} />}</AdminGate>
    </>
  );
}

function DeadLetterQueues({ api }: { api: AdminApi }) {
  const list = useLoad(() => api.deadLetters(), [api]);
  const [pending, setPending] = useState<Pending | undefined>();
  useEffect(() => forgetRefusedToken(list.error), [list.error]);
  const queues = list.data?.queues ?? [];
  const empty = queues.filter((q) => q.count === 0);
  const full = queues.filter((q) => q.count > 0);

  return (
    <>
      <div class="toolbar">
        <span class="hint">
          {list.data
            ? `${formatCount(full.reduce((n, q) => n + q.count, 0))} messages in ${full.length} of ${queues.length} queues`
            : ''}
        </span>
        <div class="spacer" />
        <button type="button" onClick={list.reload} disabled={list.loading}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={list.error} action="read the dead-letter queues" />
      {!list.data && list.loading && <Loading what="dead letters" />}
      {full.map((queue) => (
        <QueueCard
          key={queue.queue}
          queue={queue}
          onReplay={(messages) => setPending({ kind: 'replay', queue: queue.queue, messages })}
          onPurge={() => setPending({ kind: 'purge', queue: queue.queue, count: queue.count })}
        />
      ))}
      {list.data && (
        <p class="hint empty-queues">
          Empty: {empty.length === 0 ? 'none' : empty.map((q) => q.queue).join(', ')}
        </p>
      )}
      {pending?.kind === 'replay' && (
        <ReplayDialog
          api={api}
          pending={pending}
          onClose={() => setPending(undefined)}
          onDone={list.reload}
        />
      )}
      {pending?.kind === 'purge' && (
        <PurgeDialog
          api={api}
          pending={pending}
          onClose={() => setPending(undefined)}
          onDone={list.reload}
        />
      )}
    </>
  );
}
