/**
 * The order saga as a pure decider: (stored snapshot, event) → next snapshot, the commands to
 * send and the timeline entries to append. No I/O, no clock, no randomness: the runner adds
 * ids and timestamps and writes everything in one transaction.
 */
import { initialTransition, transition } from 'xstate';
import { Step } from '../contracts/envelope';
import { CommandData, CommandType, commandIdOf, commandStep } from '../contracts/messages';
import {
  FailureReason,
  OrderSagaContext,
  OrderSagaEvent,
  OrderSagaInput,
  RecordParams,
  SendCommandParams,
} from './machine';
import { OrderStatus, stateName, viewOf } from './status';
import { CURRENT_VERSION, machineForVersion } from './versions';

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
  reply?: string;
  reason?: FailureReason;
}

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
}

interface MachineAction {
  type: string;
  params?: unknown;
}

export function startSaga(input: OrderSagaInput): Decision {
  const machine = machineForVersion(CURRENT_VERSION);
  const [snapshot, actions] = initialTransition(machine, input);
  const state = stateName(snapshot.value);
  return build(CURRENT_VERSION, snapshot.value, snapshot.context, true, actions, [
    { type: 'SAGA_STARTED', state },
  ]);
}

export function decide(stored: StoredSaga, event: OrderSagaEvent): Decision {
  const machine = machineForVersion(stored.version);
  const current = machine.resolveState({
    value: stored.value as never,
    context: stored.context,
  });
  // An event the state does not accept leaves the very same snapshot: no second transition
  // (as `can()` would run) is needed to find out.
  const [next, actions] = transition(machine, current, event);
  if (next === current) return build(stored.version, stored.value, stored.context, false, [], []);
  const received: TimelineEntry[] = [
    {
      type: 'REPLY_RECEIVED',
      step: stepOfReply(event.type),
      reply: event.type,
      command_id: event.data.command_id,
    },
  ];
  return build(stored.version, next.value, next.context, true, actions, received);
}

function build(
  version: number,
  value: unknown,
  context: OrderSagaContext,
  accepted: boolean,
  actions: readonly MachineAction[],
  leading: TimelineEntry[],
): Decision {
  const state = stateName(value);
  const view = viewOf(state);
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
      timeline.push(recordEntry(action.params as RecordParams, context, state));
    }
  }
  return {
    accepted,
    saga: { version, value, context },
    state,
    status: view.status,
    step: view.step,
    reason: context.reason,
    commands,
    timeline,
  };
}

function recordEntry(
  params: RecordParams,
  context: OrderSagaContext,
  state: string,
): TimelineEntry {
  const entry: TimelineEntry = { type: params.type };
  if (params.step) entry.step = params.step;
  if (params.type === 'STEP_FAILED' && context.reason) entry.reason = context.reason;
  if (params.type === 'SAGA_COMPLETED' || params.type === 'SAGA_CANCELLED') entry.state = state;
  return entry;
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
