/**
 * STUCK sagas, oldest first, with why each is stuck and for how long. Replay or cancel one, a
 * selection, or (replay) every one matching the filter — always after a dry-run preview.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi, SagaAction, StuckFilter } from '../../api/admin';
import type { StuckSaga } from '../../api/types';
import { ActionDialog, type ActionTarget } from '../../components/action-dialog';
import { AdminGate, forgetRefusedToken } from '../../components/admin-gate';
import { Empty, ErrorNotice, Loading } from '../../components/notice';
import { useLoad, useTitle } from '../../hooks';
import { FilterForm, describeFilter } from './filter-form';
import { StuckTable } from './stuck-table';

const PAGE_SIZE = 100;
const REFRESH_MS = 10_000;

export function StuckPage() {
  useTitle('Stuck sagas');
  return (
    <>
      <div class="page-head">
        <h1>Stuck sagas</h1>
        <p class="hint">
          A saga is STUCK when a step or a compensation used up its retries: it waits for an
          operator to replay it (re-send the same command) or cancel it (compensate what was done).
        </p>
      </div>
      <AdminGate what="The list of stuck sagas">{(api) => <StuckList api={api} />}</AdminGate>
    </>
  );
}

function StuckList({ api }: { api: AdminApi }) {
  const [filter, setFilter] = useState<StuckFilter>({});
  const [pages, setPages] = useState(1);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [action, setAction] = useState<{ action: SagaAction; target: ActionTarget } | undefined>();
  const list = useLoad(
    async (signal) => {
      const sagas: StuckSaga[] = [];
      let cursor: string | undefined;
      // "Load more" asks for more pages; a refresh reads that many again.
      for (let page = 0; page < pages && !signal.aborted; page += 1) {
        const answer = await api.stuck({ ...filter, limit: PAGE_SIZE, cursor });
        sagas.push(...answer.sagas);
        cursor = answer.next_cursor ?? undefined;
        if (!cursor) break;
      }
      return { sagas, more: cursor !== undefined };
    },
    [api, filter, pages],
    REFRESH_MS,
  );
  useEffect(() => forgetRefusedToken(list.error), [list.error]);
  const sagas = list.data?.sagas ?? [];
  const chosen = sagas.filter((s) => selected.has(s.saga_id));

  const select = (sagaIds: string[], on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const id of sagaIds) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  const act = (kind: SagaAction, target: StuckSaga[]) =>
    setAction({ action: kind, target: { kind: 'sagas', sagas: target } });

  return (
    <>
      <FilterForm
        onApply={(next) => {
          setSelected(new Set());
          setPages(1);
          setFilter(next);
        }}
        onReplayMatching={() =>
          setAction({
            action: 'replay',
            target: { kind: 'matching', filter, description: describeFilter(filter) },
          })
        }
      />
      <section class="card" aria-labelledby="stuck-title">
        <div class="section-head">
          <h2 id="stuck-title">
            {list.data ? `${sagas.length}${list.data.more ? '+' : ''} stuck` : 'Stuck'} ·{' '}
            <span class="hint">{describeFilter(filter)}</span>
          </h2>
          <div class="spacer" />
          <span class="hint" aria-live="polite">
            {chosen.length} selected
          </span>
          <button
            type="button"
            class="primary"
            disabled={chosen.length === 0}
            onClick={() => act('replay', chosen)}
          >
            Replay selected…
          </button>
          <button
            type="button"
            class="danger"
            disabled={chosen.length === 0}
            onClick={() => act('cancel', chosen)}
          >
            Cancel selected…
          </button>
          <button type="button" onClick={list.reload}>
            Refresh
          </button>
        </div>
        <ErrorNotice error={list.error} action="list the stuck sagas" />
        {!list.data && list.loading && <Loading what="stuck sagas" />}
        {list.data && sagas.length === 0 && <Empty>No saga is stuck.</Empty>}
        {sagas.length > 0 && (
          <StuckTable sagas={sagas} selected={selected} onSelect={select} onAct={act} />
        )}
        {list.data?.more && (
          <div class="pager">
            <button type="button" onClick={() => setPages((n) => n + 1)}>
              Load more
            </button>
          </div>
        )}
      </section>
      {action && (
        <ActionDialog
          api={api}
          action={action.action}
          target={action.target}
          onClose={() => setAction(undefined)}
          onDone={() => {
            setSelected(new Set());
            list.reload();
          }}
        />
      )}
    </>
  );
}
