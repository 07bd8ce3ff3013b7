/**
 * The order saga as a pure decider: (stored snapshot, event) → next snapshot, the commands to
 * send and the timeline entries to append. No I/O, no clock, no randomness: the runner adds
 * ids and timestamps and writes everything in one transaction.
 */
import { Step } from '../contracts/envelope';
import {
  CommandData,
  CommandType,
  commandIdOf,
  allReplyTypes,
  commandStep,
} from '../contracts/messages';
import {
  FailureReason,
  OrderSagaContext,
  OrderSagaEvent,
  OrderSagaInput,
  RecordParams,
  ReplyEvent,
  SendCommandParams,
} from './machine';
import { OrderStatus, stateName } from './status';
import { pureInitialTransition, pureTransition } from './pure-transition';
import { machineForVersion, viewOf } from './versions';

/** What is persisted: the definition version beside the state value and context. */
export interface StoredSaga {
  version: number;
  value: unknown;
  context: OrderSagaContext;
}

export interface CommandIntent<T extends CommandType = CommandType> {
  type: T;
  step: Step;
  commandId: string;
  attempt: number;
  data: CommandData[T];
}

export interface TimelineEntry {
  type: string;
  step?: Step;
  state?: string;
  command?: CommandType;
  command_id?: string;
  attempt?: number;
  delay_ms?: number;
  reply?: string;
  /** Why a step failed, or an operator's words on an admin event. */
  reason?: FailureReason | string;
  code?: string;
  message?: string;
  actor?: string;
  /** An event the state no longer accepted: recorded as what it was, it changed nothing. */
  late?: true;
  /** What a timeout found on the step's command queue: consumers attached, messages ready. */
  consumers?: number;
  ready?: number;
}

/**
 * What happens to the step deadline: re-armed (after an extra wait, e.g. a worker's retry
 * delay), left as it is, or cleared because the saga no longer waits for a reply.
 */
export type DeadlineChange =
  { kind: 'arm'; extraMs: number } | { kind: 'keep' } | { kind: 'clear' };

export interface Decision {
  /** False when the current state does not accept the event: nothing else changes. */
  accepted: boolean;
  saga: StoredSaga;
  state: string;
  status: OrderStatus;
  step: Step | null;
  reason: FailureReason | null;
  commands: CommandIntent[];
  timeline: TimelineEntry[];
  deadline: DeadlineChange;
}

interface MachineAction {
  type: string;
  params?: unknown;
}

/**
 * Starts a saga on a definition version. Which version new sagas start on is a deploy decision
 * (the coordinator's SAGA_VERSION) that the caller passes in; without one this is version 1,
 * the definition the decider had before there was a choice.
 */
export function startSaga(input: OrderSagaInput, version = 1): Decision {
  const machine = machineForVersion(version);
  const [snapshot, actions] = pureInitialTransition(machine, input);
  const state = stateName(snapshot.value);
  return build(version, snapshot.value, snapshot.context as OrderSagaContext, actions, undefined, [
    { type: 'SAGA_STARTED', state },
  ]);
}

export function decide(stored: StoredSaga, event: OrderSagaEvent): Decision {
  const machine = machineForVersion(stored.version);
  const current = machine.resolveState({
    value: stored.value as never,
    context: stored.context,
  });
  // An event the state does not accept leaves the very same snapshot and runs no action: no
  // second transition (as `can()` would run) is needed to find out. A targetless transition
  // that only records (a retry notice) also keeps the snapshot, but it has actions.
  const [next, actions] = pureTransition(machine, current, event);
  if (next === current && actions.length === 0)
    return {
      ...build(stored.version, stored.value, stored.context, [], event, lateEntries(event)),
      accepted: false,
      deadline: { kind: 'keep' },
    };
  return build(
    stored.version,
    next.value,
    next.context as OrderSagaContext,
    actions,
    event,
    leadingEntries(event),
  );
}

/**
 * An event that came too late for the state (a retry notice after its step succeeded, a reply
 * or dead letter of a command already settled, an operator's action overtaken) still happened:
 * it goes on the timeline as what it is, marked late. The coordinator's own timers are left
 * out: a timeout or an expiry the state no longer accepts was simply overtaken.
 */
function lateEntries(event: OrderSagaEvent): TimelineEntry[] {
  switch (event.type) {
    case 'step.timed_out':
    case 'saga.stuck_expired':
      return [];
    case 'operator.replay':
    case 'operator.cancel': {
      const type = event.type === 'operator.replay' ? 'ADMIN_REPLAY' : 'ADMIN_CANCEL';
      return [{ type, actor: event.data.actor, reason: event.data.reason, late: true }];
    }
    case 'command.retry_scheduled':
    case 'command.dead_lettered': {
      const type = event.type === 'command.retry_scheduled' ? 'RETRY_SCHEDULED' : 'DEAD_LETTERED';
      const entry = { type, step: commandStep[event.data.command], command: event.data.command };
      return [{ ...entry, ...failureDetails(event), late: true }];
    }
    default:
      return leadingEntries(event).map((entry) => ({ ...entry, late: true }));
  }
}

/** A reply is on the timeline as received before whatever it caused. */
function leadingEntries(event: OrderSagaEvent): TimelineEntry[] {
  if (
    !(allReplyTypes as readonly string[]).includes(event.type) ||
    event.type === 'command.retry_scheduled'
  ) {
    return [];
  }
  const { command_id } = (event as ReplyEvent).data;
  return [{ type: 'REPLY_RECEIVED', step: stepOfReply(event.type), reply: event.type, command_id }];
}

function build(
  version: number,
  value: unknown,
  context: OrderSagaContext,
  actions: readonly MachineAction[],
  event: OrderSagaEvent | undefined,
  leading: TimelineEntry[],
): Decision {
  const state = stateName(value);
  const view = viewOf(version, state);
  const commands: CommandIntent[] = [];
  const timeline = [...leading];
  for (const action of actions) {
    if (action.type === 'sendCommand') {
      const intent = commandIntent(context, (action.params as SendCommandParams).command);
      commands.push(intent);
      timeline.push({
        type: 'COMMAND_SENT',
        step: intent.step,
        command: intent.type,
        command_id: intent.commandId,
        attempt: intent.attempt,
      });
    } else if (action.type === 'record') {
      timeline.push(recordEntry(action.params as RecordParams, context, state, event));
    }
  }
  const waiting = view.step !== null && view.status !== 'STUCK';
  return {
    accepted: true,
    saga: { version, value, context },
    state,
    status: view.status,
    step: view.status === 'STUCK' ? (context.reason?.step ?? null) : view.step,
    reason: context.reason,
    commands,
    timeline,
    deadline: nextDeadline(waiting, commands.length > 0, event),
  };
}

/**
 * A send arms a fresh deadline, a worker's retry notice extends it by the retry's delay, and a
 * timeout that kept waiting (its command still queued) arms the next check; a deadline left in
 * the past would be swept again at once, under the same token, forever.
 */
function nextDeadline(
  waiting: boolean,
  sent: boolean,
  event: OrderSagaEvent | undefined,
): DeadlineChange {
  if (!waiting) return { kind: 'clear' };
  if (sent || event?.type === 'step.timed_out') return { kind: 'arm', extraMs: 0 };
  if (event?.type === 'command.retry_scheduled')
    return { kind: 'arm', extraMs: event.data.delay_ms };
  return { kind: 'keep' };
}

function recordEntry(
  params: RecordParams,
  context: OrderSagaContext,
  state: string,
  event: OrderSagaEvent | undefined,
): TimelineEntry {
  const entry: TimelineEntry = { type: params.type };
  if (params.step) entry.step = params.step;
  if (params.command) entry.command = params.command;
  switch (params.type) {
    case 'STEP_FAILED':
    case 'SAGA_STUCK':
      if (context.reason) entry.reason = context.reason;
      break;
    case 'SAGA_COMPLETED':
    case 'SAGA_CANCELLED':
      entry.state = state;
      break;
    case 'STEP_TIMED_OUT':
      entry.attempt = params.attempt ?? 1;
      break;
    case 'WAITING_FOR_WORKER':
      // The send that is still waiting: no new attempt was counted for it.
      entry.attempt = (params.command && context.attempts[params.command]) || 1;
      if (event?.type === 'step.timed_out' && event.data.queue)
        Object.assign(entry, event.data.queue);
      break;
    case 'RETRY_SCHEDULED':
      if (event?.type === 'command.retry_scheduled') Object.assign(entry, failureDetails(event));
      break;
    case 'DEAD_LETTERED':
      if (event?.type === 'command.dead_lettered') Object.assign(entry, failureDetails(event));
      break;
    case 'ADMIN_REPLAY':
    case 'ADMIN_CANCEL':
      if (event?.type === 'operator.replay' || event?.type === 'operator.cancel') {
        Object.assign(entry, { actor: event.data.actor, reason: event.data.reason });
      }
      break;
  }
  return entry;
}

/** What a retry notice or a dead letter tells about the failed command. */
function failureDetails(
  event: Extract<OrderSagaEvent, { type: 'command.retry_scheduled' | 'command.dead_lettered' }>,
): Pick<TimelineEntry, 'command_id' | 'attempt' | 'delay_ms' | 'code' | 'message'> {
  if (event.type === 'command.retry_scheduled') {
    const { retry, delay_ms, code, message, command_id } = event.data;
    return { command_id, attempt: retry, delay_ms, code, message };
  }
  const { attempts, code, message, command_id } = event.data;
  return { command_id, attempt: attempts, code, message };
}

function commandIntent(context: OrderSagaContext, type: CommandType): CommandIntent {
  const commandId = commandIdOf(context.sagaId, type);
  return {
    type,
    step: commandStep[type],
    commandId,
    attempt: context.attempts[type] ?? 1,
    data: commandData(context, type, commandId),
  };
}

function commandData(context: OrderSagaContext, type: CommandType, commandId: string) {
  switch (type) {
    case 'risk.assess':
      return { command_id: commandId, amount: context.total, items: context.items };
    case 'payment.authorize':
      return { command_id: commandId, amount: context.total };
    case 'inventory.reserve':
    case 'shipping.create':
      return { command_id: commandId, items: context.items };
    case 'payment.void':
    case 'inventory.release':
    case 'shipping.cancel':
      return { command_id: commandId };
  }
}

function stepOfReply(type: string): Step {
  return type.slice(0, type.indexOf('.')) as Step;
}
