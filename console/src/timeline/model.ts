/**
 * What a timeline means to an operator, computed from its events alone (pure, no DOM): the lane
 * each event belongs to, its tone (success, failure, retry, compensation, operator), a one-line
 * summary, and the attempts — each command sent, from its sending to what became of it.
 */
import type { AnyReplyType, CommandType } from '../../../sagas/contracts/messages';
import type { TimelineEvent } from '../api/types';

export const lanes = ['saga', 'risk', 'payment', 'inventory', 'shipping', 'operator'] as const;
export type Lane = (typeof lanes)[number];

export const laneLabels: Record<Lane, string> = {
  saga: 'Saga',
  risk: 'Fraud check',
  payment: 'Payment',
  inventory: 'Inventory',
  shipping: 'Shipping',
  operator: 'Operator',
};

export type Tone =
  'info' | 'success' | 'danger' | 'warning' | 'compensation' | 'operator' | 'muted';

const commandKinds: Record<CommandType, 'forward' | 'compensation'> = {
  'risk.assess': 'forward',
  'payment.authorize': 'forward',
  'payment.void': 'compensation',
  'inventory.reserve': 'forward',
  'inventory.release': 'compensation',
  'shipping.create': 'forward',
  'shipping.cancel': 'compensation',
};

const replyTones: Record<AnyReplyType, Tone> = {
  'risk.assessed': 'success',
  'risk.rejected': 'danger',
  'payment.authorized': 'success',
  'payment.declined': 'danger',
  'payment.voided': 'compensation',
  'inventory.reserved': 'success',
  'inventory.rejected': 'danger',
  'inventory.released': 'compensation',
  'shipping.ready': 'success',
  'shipping.rejected': 'danger',
  'shipping.cancelled': 'compensation',
  'command.retry_scheduled': 'warning',
};

const typeTones: Record<string, Tone> = {
  SAGA_STARTED: 'info',
  STEP_SUCCEEDED: 'success',
  STEP_FAILED: 'danger',
  RETRY_SCHEDULED: 'warning',
  STEP_TIMED_OUT: 'warning',
  WAITING_FOR_WORKER: 'warning',
  DEAD_LETTERED: 'danger',
  COMPENSATION_STARTED: 'compensation',
  COMPENSATED: 'compensation',
  SAGA_COMPLETED: 'success',
  SAGA_CANCELLED: 'muted',
  SAGA_STUCK: 'danger',
  ADMIN_REPLAY: 'operator',
  ADMIN_CANCEL: 'operator',
  STEP_PAUSED: 'warning',
  STEP_RESUMED: 'info',
};

export const isCompensationCommand = (command: string | undefined): boolean =>
  command !== undefined && commandKinds[command as CommandType] === 'compensation';

export function laneOf(event: TimelineEvent): Lane {
  if (event.type.startsWith('ADMIN_')) return 'operator';
  const step = event.step;
  if (step === 'risk' || step === 'payment' || step === 'inventory' || step === 'shipping')
    return step;
  return 'saga';
}

export function toneOf(event: TimelineEvent): Tone {
  if (event.type === 'COMMAND_SENT')
    return isCompensationCommand(event.command) ? 'compensation' : 'info';
  if (event.type === 'REPLY_RECEIVED') return replyTones[event.reply as AnyReplyType] ?? 'info';
  return typeTones[event.type] ?? 'muted';
}

function reasonText(reason: TimelineEvent['reason']): string | undefined {
  if (reason === undefined) return undefined;
  if (typeof reason === 'string') return reason;
  return `${reason.code}: ${reason.message}`;
}

/** One line saying what happened, in the words of the event's own fields. */
export function summarize(event: TimelineEvent): string {
  const attempt = event.attempt === undefined ? '' : ` · attempt ${event.attempt}`;
  switch (event.type) {
    case 'SAGA_STARTED':
      return `started in ${event.state ?? 'its first state'}`;
    case 'COMMAND_SENT':
      return `${event.command ?? 'command'} sent${attempt}`;
    case 'REPLY_RECEIVED':
      return `${event.reply ?? 'reply'} received`;
    case 'RETRY_SCHEDULED':
      return `retry ${event.attempt ?? ''} in ${event.delay_ms ?? '?'} ms — ${event.code ?? ''} ${event.message ?? ''}`.trim();
    case 'STEP_TIMED_OUT':
      // Its `attempt` is the count after the timeout was counted, not the send that timed out.
      return `no reply to ${event.command ?? 'the command'} in time`;
    case 'WAITING_FOR_WORKER':
      return event.consumers === 0
        ? `${event.command ?? 'the command'} still queued: no ${event.step ?? ''} worker is consuming`
        : `${event.command ?? 'the command'} may still be queued: ${event.ready ?? '?'} messages wait for the ${event.step ?? ''} worker`;
    case 'DEAD_LETTERED':
      return `${event.command ?? 'command'} dead-lettered after ${event.attempt ?? '?'} attempts — ${event.code ?? ''} ${event.message ?? ''}`.trim();
    case 'STEP_FAILED':
    case 'SAGA_STUCK':
      return reasonText(event.reason) ?? event.type.toLowerCase().replace(/_/g, ' ');
    case 'ADMIN_REPLAY':
    case 'ADMIN_CANCEL':
      return `${event.type === 'ADMIN_REPLAY' ? 'replay' : 'cancel'} by ${event.actor ?? 'an operator'}: ${reasonText(event.reason) ?? 'no reason given'}`;
    case 'STEP_SUCCEEDED':
      return `${event.step ?? 'step'} done`;
    case 'COMPENSATION_STARTED':
      return 'undoing the completed steps, last first';
    case 'COMPENSATED':
      return `${event.step ?? 'step'} undone`;
    case 'SAGA_COMPLETED':
      return 'completed';
    case 'SAGA_CANCELLED':
      return 'cancelled';
    case 'STEP_PAUSED':
      return `${event.step ?? 'step'} paused by its circuit breaker: the command waits`;
    case 'STEP_RESUMED':
      return `${event.step ?? 'step'} resumed: the held command went out`;
    default:
      return event.step ?? '';
  }
}

export type AttemptOutcome = 'succeeded' | 'failed' | 'timed-out' | 'dead-lettered' | 'open';

/**
 * One send of a command by the saga: from COMMAND_SENT to the event that ended the wait for
 * it. A worker's retries of that delivery happen within it and are counted, not split off.
 */
export interface Attempt {
  lane: Lane;
  command: string;
  commandId: string | undefined;
  attempt: number;
  compensation: boolean;
  startSeq: number;
  /** Retries the worker scheduled for this send. */
  retries: number;
  /** Undefined while the saga still waits for it. */
  endSeq: number | undefined;
  outcome: AttemptOutcome;
}

const endingOutcome = (event: TimelineEvent): AttemptOutcome | undefined => {
  switch (event.type) {
    case 'REPLY_RECEIVED':
      return toneOf(event) === 'danger' ? 'failed' : 'succeeded';
    case 'STEP_TIMED_OUT':
      return 'timed-out';
    case 'DEAD_LETTERED':
      return 'dead-lettered';
    default:
      return undefined;
  }
};

/** The attempts of every command, in the order they were sent. */
export function attemptsOf(events: readonly TimelineEvent[]): Attempt[] {
  const attempts: Attempt[] = [];
  const open: Attempt[] = [];
  for (const event of events) {
    if (event.type === 'COMMAND_SENT' && event.command) {
      // A re-send (same command id) ends the wait for the previous delivery, if still open.
      close(open, (a) => a.commandId === event.command_id);
      const attempt: Attempt = {
        lane: laneOf(event),
        command: event.command,
        commandId: event.command_id,
        attempt: event.attempt ?? 1,
        compensation: isCompensationCommand(event.command),
        startSeq: event.seq,
        retries: 0,
        endSeq: undefined,
        outcome: 'open',
      };
      attempts.push(attempt);
      open.push(attempt);
      continue;
    }
    if (event.late) continue;
    // Replies and retry notices name the command id; a timeout names only the command.
    const matches = (a: Attempt) =>
      event.command_id !== undefined
        ? a.commandId === event.command_id
        : a.command === event.command;
    if (event.type === 'RETRY_SCHEDULED') {
      const retried = open.find(matches);
      if (retried) retried.retries += 1;
      continue;
    }
    const outcome = endingOutcome(event);
    const ended = outcome ? close(open, matches) : undefined;
    if (ended && outcome) {
      ended.endSeq = event.seq;
      ended.outcome = outcome;
    }
  }
  return attempts;
}

function close(open: Attempt[], matches: (attempt: Attempt) => boolean): Attempt | undefined {
  const index = open.findIndex(matches);
  return index < 0 ? undefined : open.splice(index, 1)[0];
}
