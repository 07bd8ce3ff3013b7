/**
 * `replay` and `cancel` of one saga, named by its saga id or its order id, and `replay --all`,
 * which asks before it acts unless --yes says the operator already has.
 */
import { isUuid } from '../../lib/http/paging';
import { Outcome } from './client';
import { ActionArgs, Command, StuckFilterArgs } from './commands';
import { USAGE } from './program-common';
import { ActionResult, BulkAnswer, describeAction, renderBulk } from './render-sagas';
import { bulkReplayRequest, orderRequest, sagaActionRequest } from './requests';
import { Session, accept, call, fail, show } from './session';
import { plural } from './table';

type SagaAction = Extract<Command, { kind: 'replay' | 'cancel' }>;
type BulkReplay = Extract<Command, { kind: 'replay-all' }>;

export async function runSagaAction(session: Session, command: SagaAction): Promise<number> {
  const send = (sagaId: string) =>
    session.client.send(sagaActionRequest(command.kind, sagaId, command));
  let outcome = isUuid(command.target) ? await send(command.target) : undefined;
  // An order id may itself be a uuid: a saga that is not found is looked for as an order.
  if (outcome === undefined || isNotFound(outcome)) {
    const sagaId = await sagaOfOrder(session, command.target);
    if (sagaId === undefined) return 1;
    outcome = await send(sagaId);
  }
  const result = accept<ActionResult>(session, outcome);
  if (!result) return 1;
  show(session, result, (r) => describeAction(command.kind, r, session.view));
  return 0;
}

const isNotFound = (outcome: Outcome): boolean =>
  outcome.kind === 'answer' && outcome.answer.status === 404;

/** The saga of an order, through the order API; undefined (and said why) when there is none. */
async function sagaOfOrder(session: Session, orderId: string): Promise<string | undefined> {
  const outcome = await session.client.send(orderRequest(orderId));
  if (isNotFound(outcome)) {
    const what = isUuid(orderId) ? 'saga or order' : 'order';
    return fail(session, `error: no ${what} ${orderId}`);
  }
  return accept<{ saga_id: string }>(session, outcome)?.saga_id;
}

export async function runBulkReplay(session: Session, command: BulkReplay): Promise<number> {
  if (command.dryRun || command.confirmed) return replayAll(session, command, command);
  if (!session.io.stdinIsTTY) {
    fail(
      session,
      'error: replay --all re-sends the command of every matching STUCK saga; ' +
        'add --yes to confirm, or --dry-run to see what it would send',
    );
    return USAGE;
  }
  const preview = await call<BulkAnswer>(session, bulkReplayRequest(command, dryRun(command)));
  if (!preview) return 1;
  if (preview.count === 0) {
    show(session, preview, (answer) => renderBulk(answer, session.view));
    return 0;
  }
  // On standard error, like the question: standard output keeps only the result.
  session.io.err(renderBulk(preview, session.view));
  const answer = await session.io.ask(`replay ${plural(preview.count, 'saga')}? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) {
    session.io.err('nothing replayed');
    return 1;
  }
  return replayAll(session, command, { ...command, dryRun: false });
}

async function replayAll(
  session: Session,
  filter: StuckFilterArgs,
  args: ActionArgs,
): Promise<number> {
  const answer = await call<BulkAnswer>(session, bulkReplayRequest(filter, args));
  if (!answer) return 1;
  show(session, answer, (a) => renderBulk(a, session.view));
  return 0;
}

const dryRun = (args: ActionArgs): ActionArgs => ({ ...args, dryRun: true });
