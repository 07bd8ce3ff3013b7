/** Running a saga action (dry run or for real) and showing what each saga answered. */
import type { AdminApi, SagaAction } from '../api/admin';
import { ApiError } from '../api/http';
import type { ActionResult } from '../api/types';
import type { ActionTarget } from './action-dialog';
import { OrderLink } from './links';

/** Dry run without words, the real thing with them; every saga answers, also when refused. */
export async function run(
  api: AdminApi,
  action: SagaAction,
  target: ActionTarget,
  words: { actor: string; reason: string } | undefined,
): Promise<ActionResult[]> {
  const preview = words === undefined;
  const body = words ?? { actor: 'console', reason: 'dry run' };
  if (target.kind === 'matching') {
    return (await api.replayMatching(target.filter, body, preview)).sagas;
  }
  return Promise.all(
    target.sagas.map((saga) =>
      api.act(saga.saga_id, action, body, preview).catch((error: unknown): ActionResult => {
        if (!(error instanceof ApiError) || error.status === 401 || error.status === 403)
          throw error;
        return { ...saga, result: 'rejected', status: '', commands: [], detail: error.message };
      }),
    ),
  );
}

const resultWords: Record<ActionResult['result'], string> = {
  dry_run: 'Would send',
  applied: 'Applied',
  rejected: 'Not possible',
};

export function ResultTable({ rows }: { rows: ActionResult[] }) {
  if (rows.length === 0) return <p class="empty">No saga matches.</p>;
  return (
    <div class="table-wrap">
      <table class="table compact">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Result</th>
            <th scope="col">Commands</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.saga_id} data-saga={row.saga_id} data-result={row.result}>
              <td>
                <OrderLink orderId={row.order_id} />
              </td>
              <td>
                <span class={`result result-${row.result}`}>{resultWords[row.result]}</span>
                {row.detail && <div class="hint">{row.detail}</div>}
              </td>
              <td>
                {row.commands.length === 0 ? (
                  <span class="hint">none</span>
                ) : (
                  <ul class="commands">
                    {row.commands.map((c) => (
                      <li key={`${c.command_id}-${c.attempt}`}>
                        <code>{c.command}</code> · attempt {c.attempt}{' '}
                        <span class="hint mono">{c.command_id}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
