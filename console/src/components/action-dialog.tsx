/**
 * Replay or cancel, for one saga, a selection, or every STUCK saga matching a filter. Nothing is
 * sent before the operator has seen the dry run — the commands each saga would send — and given
 * a reason; the result of each saga is shown after.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AdminApi, SagaAction, StuckFilter } from '../api/admin';
import type { ActionResult } from '../api/types';
import { ResultTable, run } from './action-results';
import { Modal } from './dialog';
import { forgetRefusedToken } from './admin-gate';
import { ErrorNotice, Loading } from './notice';

export type ActionTarget =
  | { kind: 'sagas'; sagas: Array<{ saga_id: string; order_id: string }> }
  | { kind: 'matching'; filter: StuckFilter; description: string };

type Phase =
  | { name: 'previewing' }
  | { name: 'previewed'; rows: ActionResult[] }
  | { name: 'sending'; rows: ActionResult[] }
  | { name: 'done'; rows: ActionResult[] }
  | { name: 'failed'; error: Error; rows: ActionResult[] };

const ACTOR_KEY = 'order-saga-console.actor';
const verbs: Record<SagaAction, string> = { replay: 'Replay', cancel: 'Cancel' };

export function ActionDialog({
  api,
  action,
  target,
  onClose,
  onDone,
}: {
  api: AdminApi;
  action: SagaAction;
  target: ActionTarget;
  onClose: () => void;
  onDone: () => void;
}) {
  const [phase, setPhase] = useState<Phase>({ name: 'previewing' });
  const [reason, setReason] = useState('');
  const [actor, setActor] = useState(() => sessionStorage.getItem(ACTOR_KEY) ?? 'console');
  const reasonField = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    let live = true;
    run(api, action, target, undefined).then(
      (rows) => live && setPhase({ name: 'previewed', rows }),
      (error: Error) => {
        forgetRefusedToken(error);
        if (live) setPhase({ name: 'failed', error, rows: [] });
      },
    );
    return () => void (live = false);
  }, []);

  // Once the preview is in, the reason is what the operator has to write next.
  useEffect(() => {
    if (phase.name === 'previewed') reasonField.current?.focus();
  }, [phase.name]);

  const rows = 'rows' in phase ? phase.rows : [];
  const possible = rows.filter((row) => row.result !== 'rejected');
  const sagaWord = (n: number) => `${n} saga${n === 1 ? '' : 's'}`;
  const title =
    target.kind === 'matching'
      ? `${verbs[action]} every STUCK saga ${target.description}`
      : `${verbs[action]} ${sagaWord(target.sagas.length)}`;

  const send = async (event: Event) => {
    event.preventDefault();
    sessionStorage.setItem(ACTOR_KEY, actor.trim());
    setPhase({ name: 'sending', rows });
    try {
      const done = await run(api, action, target, { actor: actor.trim(), reason: reason.trim() });
      setPhase({ name: 'done', rows: done });
    } catch (error) {
      forgetRefusedToken(error);
      setPhase({ name: 'failed', error: error as Error, rows });
    }
    onDone();
  };

  return (
    <Modal title={title} onClose={onClose} wide>
      {phase.name === 'previewing' && <Loading what="the dry run" />}
      {phase.name === 'failed' && <ErrorNotice error={phase.error} action={action} />}
      {(phase.name === 'previewed' || phase.name === 'sending') && (
        <>
          <p>
            Dry run: nothing has been sent yet.{' '}
            {possible.length === 0
              ? `No saga can be ${action === 'replay' ? 'replayed' : 'cancelled'} now.`
              : `${verbs[action]} would send these commands:`}
          </p>
          {target.kind === 'matching' && (
            <p class="hint">
              Sagas that become STUCK and match before you confirm are replayed too.
            </p>
          )}
          <ResultTable rows={rows} />
          {possible.length > 0 && (
            <form class="action-form" onSubmit={send}>
              <label for="action-reason">Reason (recorded on each saga's timeline)</label>
              <textarea
                id="action-reason"
                required
                maxLength={500}
                rows={2}
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
                ref={reasonField}
              />
              <label for="action-actor">Your name</label>
              <input
                id="action-actor"
                required
                maxLength={64}
                value={actor}
                onInput={(e) => setActor(e.currentTarget.value)}
              />
              <div class="buttons">
                <button type="button" onClick={onClose}>
                  Close without sending
                </button>
                <button
                  type="submit"
                  class={action === 'cancel' ? 'danger' : 'primary'}
                  disabled={phase.name === 'sending' || !reason.trim() || !actor.trim()}
                >
                  {phase.name === 'sending'
                    ? 'Sending…'
                    : `${verbs[action]} ${sagaWord(possible.length)}`}
                </button>
              </div>
            </form>
          )}
        </>
      )}
      {phase.name === 'done' && (
        <>
          <p role="status">
            {verbs[action]}: {possible.length === 0 ? 'nothing was sent.' : 'sent.'}{' '}
            {phase.rows.filter((r) => r.result === 'applied').length} applied,{' '}
            {phase.rows.filter((r) => r.result === 'rejected').length} rejected.
          </p>
          <ResultTable rows={phase.rows} />
        </>
      )}
      {phase.name !== 'previewed' && phase.name !== 'sending' && (
        <div class="buttons">
          <button type="button" class="primary" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </Modal>
  );
}
