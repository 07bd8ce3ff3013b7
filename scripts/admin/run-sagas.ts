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
import { CliRun, accept, call, fail, show } from './cli-run';
import { plural } from './table';

type SagaAction = Extract<Command, { kind: 'replay' | 'cancel' }>;
type BulkReplay = Extract<Command, { kind: 'replay-all' }>;

export async function runSagaAction(run: CliRun, command: SagaAction): Promise<number> {
  const send = (sagaId: string) =>
    run.client.send(sagaActionRequest(command.kind, sagaId, command));
  let outcome = isUuid(command.target) ? await send(command.target) : undefined;
  // An order id may itself be a uuid: a saga that is not found is looked for as an order.
  if (outcome === undefined || isNotFound(outcome)) {
    const sagaId = await sagaOfOrder(run, command.target);
    if (sagaId === undefined) return 1;
    outcome = await send(sagaId);
  }
  const result = accept<ActionResult>(run, outcome);
  if (!result) return 1;
  show(run, result, (r) => describeAction(command.kind, r, run.view));
  return 0;
}

const isNotFound = (outcome: Outcome): boolean =>
  outcome.kind === 'answer' && outcome.answer.status === 404;

/** The saga of an order, through the order API; undefined (and said why) when there is none. */
async function sagaOfOrder(run: CliRun, orderId: string): Promise<string | undefined> {
  const outcome = await run.client.send(orderRequest(orderId));
  if (isNotFound(outcome)) {
    const what = isUuid(orderId) ? 'saga or order' : 'order';
    return fail(run, `error: no ${what} ${orderId}`);
  }
  return accept<{ saga_id: string }>(run, outcome)?.saga_id;
}

export async function runBulkReplay(run: CliRun, command: BulkReplay): Promise<number> {
  if (command.dryRun || command.confirmed) return replayAll(run, command, command);
  if (!run.io.stdinIsTTY) {
    fail(
      run,
      'error: replay --all re-sends the command of every matching STUCK saga; ' +
        'add --yes to confirm, or --dry-run to see what it would send',
    );
    return USAGE;
  }
  const preview = await call<BulkAnswer>(run, bulkReplayRequest(command, dryRun(command)));
  if (!preview) return 1;
  if (preview.count === 0) {
    show(run, preview, (answer) => renderBulk(answer, run.view));
    return 0;
  }
  // On standard error, like the question: standard output keeps only the result.
  run.io.err(renderBulk(preview, run.view));
  const answer = await run.io.ask(`replay ${plural(preview.count, 'saga')}? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) {
    run.io.err('nothing replayed');
    return 1;
  }
  return replayAll(run, command, { ...command, dryRun: false });
}

async function replayAll(run: CliRun, filter: StuckFilterArgs, args: ActionArgs): Promise<number> {
  const answer = await call<BulkAnswer>(run, bulkReplayRequest(filter, args));
  if (!answer) return 1;
  show(run, answer, (a) => renderBulk(a, run.view));
  return 0;
}

const dryRun = (args: ActionArgs): ActionArgs => ({ ...args, dryRun: true });
