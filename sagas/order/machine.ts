/**
 * What every version of the order saga machine shares: its input, its context, the events it
 * is sent and the action descriptors the decider reads back. A version may accept fewer events
 * than listed here (version 1 knows nothing of the fraud check); one it does not accept is
 * recorded as late, like any event its state does not take.
 */
import { AnyReplyData, AnyReplyType, CommandType, Failure, OrderLine } from '../contracts/messages';
import { Step } from '../contracts/envelope';

export interface OrderSagaInput {
  sagaId: string;
  orderId: string;
  items: OrderLine[];
  total: number;
  /** Re-sends after a step timeout before the saga waits for an operator. */
  maxRetryAttempts: number;
}

export interface FailureReason extends Failure {
  step: Step;
}

export interface OrderSagaContext extends OrderSagaInput {
  /** Sends of each command so far; the attempt number of the next COMMAND_SENT. */
  attempts: Partial<Record<CommandType, number>>;
  /** Timeouts of each command since it was last sent by an operator's replay. */
  timeouts: Partial<Record<CommandType, number>>;
  reason: FailureReason | null;
  /**
   * The waiting state the saga was in when it became stuck; where a replay resumes. Every
   * version parks in a state named `stuck` and keeps this, which is what lets a saga parked
   * for an unknown version resume once that version is deployed again.
   */
  stuckFrom: string | null;
  /**
   * True from a timeout that found the command still queued for its worker until the next send
   * or counted timeout: the wait is noted once, not at every deadline. Absent in snapshots
   * stored before it existed, which reads as false.
   */
  awaitingWorker?: boolean;
}

/**
 * What the coordinator saw of the step's command queue when the deadline fell: the consumers
 * attached to it and the messages ready in it.
 */
export interface CommandQueueFacts {
  consumers: number;
  ready: number;
}

export interface StepTimedOutEvent {
  type: 'step.timed_out';
  /** `queue` is absent when the queue could not be checked: the timeout then counts. */
  data: { token: string; queue?: CommandQueueFacts };
}

export type ReplyEvent = { [K in AnyReplyType]: { type: K; data: AnyReplyData[K] } }[AnyReplyType];

export interface DeadLetteredEvent {
  type: 'command.dead_lettered';
  data: { command_id: string; command: CommandType; attempts: number } & Failure;
}

export interface OperatorEvent {
  type: 'operator.replay' | 'operator.cancel';
  data: { actor: string; reason: string };
}

export type OrderSagaEvent =
  | ReplyEvent
  | DeadLetteredEvent
  | StepTimedOutEvent
  | { type: 'saga.stuck_expired'; data: Record<string, never> }
  | OperatorEvent;

export type TimelineNoteType =
  | 'STEP_SUCCEEDED'
  | 'STEP_FAILED'
  | 'RETRY_SCHEDULED'
  | 'STEP_TIMED_OUT'
  | 'WAITING_FOR_WORKER'
  | 'DEAD_LETTERED'
  | 'COMPENSATION_STARTED'
  | 'COMPENSATED'
  | 'SAGA_COMPLETED'
  | 'SAGA_CANCELLED'
  | 'SAGA_STUCK'
  | 'ADMIN_REPLAY'
  | 'ADMIN_CANCEL';

export interface SendCommandParams {
  command: CommandType;
}

export interface RecordParams {
  type: TimelineNoteType;
  step?: Step;
  command?: CommandType;
  /** The send a note is about, when the note is written before the next send is counted. */
  attempt?: number;
}
