/** Confirming a dead-letter replay (what goes back where) and a purge (type the queue's name). */
import { useState } from 'preact/hooks';
import type { AdminApi } from '../../api/admin';
import type { DeadLetterReplay } from '../../api/types';
import { forgetRefusedToken } from '../../components/admin-gate';
import { Modal } from '../../components/dialog';
import { OrderLink } from '../../components/links';
import { ErrorNotice } from '../../components/notice';
import { formatCount } from '../../format';
import type { Pending } from './page';

export function ReplayDialog({
  api,
  pending,
  onClose,
  onDone,
}: {
  api: AdminApi;
  pending: Extract<Pending, { kind: 'replay' }>;
  onClose: () => void;
  onDone: () => void;
}) {
  const [state, setState] = useState<{
    sending?: boolean;
    result?: DeadLetterReplay;
    error?: Error;
  }>({});
  const send = async () => {
    setState({ sending: true });
    try {
      const ids = pending.messages.map((m) => m.message_id);
      setState({ result: await api.replayDeadLetters(pending.queue, ids) });
    } catch (error) {
      forgetRefusedToken(error);
      setState({ error: error as Error });
    }
    onDone();
  };
  const n = pending.messages.length;
  return (
    <Modal title={`Replay ${n} dead letter${n === 1 ? '' : 's'}`} onClose={onClose} wide>
      {!state.result && (
        <>
          <p>
            These go back to <code>{pending.queue.replace(/\.dlq$/, '')}</code> with a fresh retry
            budget; their STUCK sagas resume.
          </p>
          <ul class="plain-list">
            {pending.messages.map((m) => (
              <li key={m.message_id}>
                <OrderLink orderId={m.order_id} /> · <code>{m.command ?? '?'}</code> ·{' '}
                {m.reason ?? 'no reason'}
                {m.obsolete && <span class="tag">obsolete</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <ErrorNotice error={state.error} action="replay" />
      {state.result && (
        <div role="status" class="result-summary">
          <p>
            Replayed {state.result.replayed} message{state.result.replayed === 1 ? '' : 's'}.{' '}
            {state.result.resumed} saga
            {state.result.resumed === 1 ? '' : 's'} resumed.
          </p>
          <ul class="plain-list">
            {state.result.messages.map((m) => (
              <li key={m.message_id}>
                <OrderLink orderId={m.order_id} />
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="buttons">
        {state.result ? (
          <button type="button" class="primary" onClick={onClose}>
            Close
          </button>
        ) : (
          <>
            <button type="button" onClick={onClose}>
              Close without sending
            </button>
            <button type="button" class="primary" disabled={state.sending} onClick={send}>
              {state.sending ? 'Replaying…' : `Replay ${n}`}
            </button>
          </>
        )}
      </div>
    </Modal>
  );
}

export function PurgeDialog({
  api,
  pending,
  onClose,
  onDone,
}: {
  api: AdminApi;
  pending: Extract<Pending, { kind: 'purge' }>;
  onClose: () => void;
  onDone: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [state, setState] = useState<{ sending?: boolean; purged?: number; error?: Error }>({});
  const purge = async (event: Event) => {
    event.preventDefault();
    setState({ sending: true });
    try {
      setState({ purged: (await api.purgeDeadLetters(pending.queue)).purged });
    } catch (error) {
      forgetRefusedToken(error);
      setState({ error: error as Error });
    }
    onDone();
  };
  return (
    <Modal title={`Purge ${pending.queue}`} onClose={onClose}>
      {state.purged === undefined ? (
        <form onSubmit={purge} class="action-form">
          <p>
            This deletes all {formatCount(pending.count)} messages of <code>{pending.queue}</code>{' '}
            for good. Their sagas stay STUCK until replayed or cancelled.
          </p>
          <label for="purge-confirm">Type the queue name to confirm</label>
          <input
            id="purge-confirm"
            value={typed}
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
          <ErrorNotice error={state.error} action="purge" />
          <div class="buttons">
            <button type="button" onClick={onClose}>
              Keep the messages
            </button>
            <button
              type="submit"
              class="danger"
              disabled={typed !== pending.queue || state.sending}
            >
              {state.sending ? 'Purging…' : 'Purge'}
            </button>
          </div>
        </form>
      ) : (
        <>
          <p role="status">
            Purged {state.purged} message{state.purged === 1 ? '' : 's'}.
          </p>
          <div class="buttons">
            <button type="button" class="primary" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      )}
    </Modal>
  );
}
