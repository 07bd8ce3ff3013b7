/**
 * `dlq replay`: re-publishes dead letters, but not those the coordinator lists as obsolete
 * (their saga was replayed or cancelled since, so re-sending would act on a saga that has
 * moved on). The listing decides which ids are sent, and they are sent explicitly, so a letter
 * that arrives meanwhile is not replayed unseen. Only --include-obsolete without --message
 * asks for the whole queue, whatever it holds.
 */
import { Command } from './commands';
import { DeadLetter, DlqAnswer, DlqQueue, DlqReplayAnswer, describeDlqReplay } from './render-dlq';
import { dlqListRequest, dlqReplayRequest } from './requests';
import { CliRun, call, fail, show } from './cli-run';
import { plural } from './table';

type DlqReplay = Extract<Command, { kind: 'dlq-replay' }>;

export interface ReplayPlan {
  send: string[];
  obsolete: DeadLetter[];
  /** Ids asked for that the listing does not show. */
  unknown: string[];
  /** Dead letters in the queue beyond those listed, left for another run. */
  unlisted: number;
}

export async function runDlqReplay(run: CliRun, command: DlqReplay): Promise<number> {
  if (command.includeObsolete && command.messageIds.length === 0) {
    // Everything, as asked: the whole queue, listed or not.
    return replay(run, dlqReplayRequest(command.queue), []);
  }
  const listing = await call<DlqAnswer>(run, dlqListRequest());
  if (!listing) return 1;
  const queue = listing.queues.find((q) => q.queue === command.queue);
  if (!queue) {
    const known = listing.queues.map((q) => q.queue).join(', ');
    fail(run, `error: no dead-letter queue ${command.queue} (known: ${known})`);
    return 1;
  }
  const plan = planReplay(queue, command);
  for (const id of plan.unknown) run.io.err(`${id}: not listed in ${queue.queue}; skipped`);
  if (plan.unlisted > 0) {
    run.io.err(`${plural(plan.unlisted, 'more dead letter')} not listed; run again for them`);
  }
  if (plan.send.length === 0) {
    const nothing = { queue: queue.queue, replayed: 0, messages: [], resumed_sagas: [] };
    show(run, withSkipped(nothing, plan.obsolete), (a) => describeSkipped(a, plan.obsolete));
    return 0;
  }
  return replay(run, dlqReplayRequest(queue.queue, plan.send), plan.obsolete);
}

export function planReplay(queue: DlqQueue, command: DlqReplay): ReplayPlan {
  const asked = command.messageIds.length > 0 ? new Set(command.messageIds) : undefined;
  const chosen = queue.messages.filter((m) => !asked || asked.has(m.message_id));
  const obsolete = command.includeObsolete ? [] : chosen.filter((m) => m.obsolete);
  const listed = new Set(queue.messages.map((m) => m.message_id));
  return {
    send: chosen.filter((m) => !obsolete.includes(m)).map((m) => m.message_id),
    obsolete,
    unknown: command.messageIds.filter((id) => !listed.has(id)),
    unlisted: asked ? 0 : Math.max(0, queue.count - queue.messages.length),
  };
}

async function replay(
  run: CliRun,
  request: ReturnType<typeof dlqReplayRequest>,
  obsolete: DeadLetter[],
): Promise<number> {
  const answer = await call<DlqReplayAnswer>(run, request);
  if (!answer) return 1;
  show(run, withSkipped(answer, obsolete), (a) => describeSkipped(a, obsolete));
  return 0;
}

/** The API's answer, plus the ids the CLI chose not to send, for scripts reading --json. */
const withSkipped = <T extends object>(answer: T, obsolete: DeadLetter[]) => ({
  ...answer,
  skipped_obsolete: obsolete.map((m) => m.message_id),
});

function describeSkipped(answer: DlqReplayAnswer, obsolete: DeadLetter[]): string {
  const head = describeDlqReplay(answer);
  if (obsolete.length === 0) return head;
  return (
    `${head}\nskipped ${plural(obsolete.length, 'obsolete dead letter')} ` +
    `(${obsolete.map((m) => m.message_id).join(', ')}): their sagas are no longer STUCK; ` +
    '--include-obsolete replays them too'
  );
}
