/** The saga at a glance: status, step, why it stopped, what it is for, how old, which version. */
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { SagaAction } from '../../api/admin';
import type { WorkerName } from '../../api/types';
import { ActionDialog } from '../../components/action-dialog';
import { AdminGate } from '../../components/admin-gate';
import { WorkerRecordLinks } from '../../components/links';
import { StatusBadge, isTerminal } from '../../components/status';
import { describeItems, formatAge, formatAmount, formatDateTime } from '../../format';
import { useNow } from '../../hooks';
import type { SagaView } from './use-saga';

export function SagaHeader({
  view,
  ports,
}: {
  view: SagaView;
  ports: Record<WorkerName, number> | undefined;
}) {
  const order = view.order!;
  const saga = view.saga;
  const status = view.status ?? order.status;
  const reason = order.reason ?? saga?.reason ?? undefined;
  const [action, setAction] = useState<SagaAction | undefined>();
  const now = useNow(1000);
  // The server measured the age when the saga was read; the local clock only adds what passed since.
  const readAt = useMemo(() => Date.now(), [saga]);
  const age = saga ? saga.age_seconds + (now - readAt) / 1000 : undefined;

  return (
    <section class="card saga-header" aria-labelledby="saga-title">
      <div class="section-head">
        <h1 id="saga-title">
          Order <span class="mono">{order.order_id}</span>
        </h1>
        <StatusBadge status={status} />
        <LiveState following={view.following} interrupted={view.interrupted} status={status} />
        <div class="spacer" />
        {status === 'STUCK' && (
          <button type="button" class="primary" onClick={() => setAction('replay')}>
            Replay…
          </button>
        )}
        {!isTerminal(status) && (
          <button type="button" class="danger" onClick={() => setAction('cancel')}>
            Cancel saga…
          </button>
        )}
      </div>
      {reason && (
        <p class={`reason ${status === 'STUCK' ? 'reason-stuck' : ''}`}>
          <strong>
            {status === 'STUCK' ? 'Stuck' : 'Stopped'} at {reason.step}:
          </strong>{' '}
          <code>{reason.code}</code> — {reason.message}
        </p>
      )}
      <dl class="facts">
        <Fact term="Step">{order.step ?? (isTerminal(status) ? 'none (ended)' : '—')}</Fact>
        <Fact term="Total">{formatAmount(order.total)}</Fact>
        <Fact term="Items">{describeItems(order.items)}</Fact>
        <Fact term="User">{saga?.user_id ?? '…'}</Fact>
        <Fact term="Age">
          {age === undefined ? '…' : formatAge(age)}
          <span class="hint"> · since {formatDateTime(order.created_at)}</span>
        </Fact>
        <Fact term="Last change">{formatDateTime(order.updated_at)}</Fact>
        <Fact term="Version">
          {saga ? (
            <>
              v{saga.version} <span class="hint">· state {saga.state}</span>
            </>
          ) : (
            '…'
          )}
        </Fact>
        <Fact term="Saga id">
          <span class="mono small">{order.saga_id}</span>
        </Fact>
      </dl>
      <div class="records">
        <span class="hint">Worker records:</span>
        <WorkerRecordLinks orderId={order.order_id} ports={ports} />
      </div>
      {action && (
        <AdminGate
          what={action === 'replay' ? 'Replaying a saga' : 'Cancelling a saga'}
          inModal
          onClose={() => setAction(undefined)}
        >
          {(api) => (
            <ActionDialog
              api={api}
              action={action}
              target={{
                kind: 'sagas',
                sagas: [{ saga_id: order.saga_id, order_id: order.order_id }],
              }}
              onClose={() => setAction(undefined)}
              onDone={view.refresh}
            />
          )}
        </AdminGate>
      )}
    </section>
  );
}

function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function LiveState({
  following,
  interrupted,
  status,
}: {
  following: boolean;
  interrupted: string | undefined;
  status: string;
}) {
  if (interrupted) {
    return (
      <span class="live live-interrupted" role="status">
        Updates interrupted: {interrupted}
      </span>
    );
  }
  if (following) {
    return (
      <span class="live live-on" role="status">
        <span class="dot" aria-hidden="true" /> {status === 'STUCK' ? 'Watching' : 'Live'}
      </span>
    );
  }
  return (
    <span class="live" role="status">
      Ended
    </span>
  );
}
