/** The STUCK sagas listed, each selectable, with its reason, diagnosis and time stuck. */
import type { SagaAction } from '../../api/admin';
import type { StuckSaga } from '../../api/types';
import { OrderLink } from '../../components/links';
import { ageSince, formatAge, formatDateTime } from '../../format';
import { useNow } from '../../hooks';

export function StuckTable({
  sagas,
  selected,
  onSelect,
  onAct,
}: {
  sagas: StuckSaga[];
  selected: ReadonlySet<string>;
  onSelect: (sagaIds: string[], on: boolean) => void;
  onAct: (action: SagaAction, sagas: StuckSaga[]) => void;
}) {
  const now = useNow(1000);
  const allChosen = sagas.length > 0 && sagas.every((s) => selected.has(s.saga_id));
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col" class="check">
              <input
                type="checkbox"
                aria-label="Select all listed"
                checked={allChosen}
                onChange={(e) =>
                  onSelect(
                    sagas.map((s) => s.saga_id),
                    e.currentTarget.checked,
                  )
                }
              />
            </th>
            <th scope="col">Order</th>
            <th scope="col">Step</th>
            <th scope="col">Reason</th>
            <th scope="col">Diagnosis</th>
            <th scope="col">Stuck for</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sagas.map((saga) => (
            <tr
              key={saga.saga_id}
              data-order={saga.order_id}
              class={selected.has(saga.saga_id) ? 'chosen' : ''}
            >
              <td class="check">
                <input
                  type="checkbox"
                  aria-label={`Select order ${saga.order_id}`}
                  checked={selected.has(saga.saga_id)}
                  onChange={(e) => onSelect([saga.saga_id], e.currentTarget.checked)}
                />
              </td>
              <td>
                <OrderLink orderId={saga.order_id} />
              </td>
              <td>{saga.step ?? '—'}</td>
              <td>
                {saga.reason ? (
                  <>
                    <code>{saga.reason.code}</code>
                    <div class="hint">{saga.reason.message}</div>
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td>{saga.diagnosis}</td>
              <td title={`since ${formatDateTime(saga.stuck_since)}`}>
                {formatAge(ageSince(saga.stuck_since, now))}
              </td>
              <td class="row-actions">
                <button
                  type="button"
                  onClick={() => onAct('replay', [saga])}
                  aria-label={`Replay order ${saga.order_id}`}
                >
                  Replay…
                </button>
                <button
                  type="button"
                  onClick={() => onAct('cancel', [saga])}
                  aria-label={`Cancel order ${saga.order_id}`}
                >
                  Cancel…
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
