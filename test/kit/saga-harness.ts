/**
 * One order saga driven the way the coordinator drives it, on a virtual clock: the pure decider
 * for every event, the runner's deadline and stuck bookkeeping (`nextTiming`) after every
 * accepted decision, the timeout sweeper's two rules when time passes, and the inbox's rule that
 * an event id is applied once. Nothing waits and nothing touches a database, so "time out twice,
 * then STUCK, then an hour later the expiry compensates" is a test of a few milliseconds.
 */
import { CommandType, ReplyData, ReplyType, commandIdOf } from '../../sagas/contracts/messages';
import {
  CommandIntent,
  Decision,
  StoredSaga,
  TimelineEntry,
  decide,
  startSaga,
} from '../../sagas/order/decide';
import { OrderSagaEvent, OrderSagaInput } from '../../sagas/order/machine';
import { OrderStatus } from '../../sagas/order/status';
import { SagaTiming, isStaleTimeout, nextTiming } from '../../coordinator/saga-timing';
import { VirtualClock } from './virtual-clock';

export interface HarnessTimings {
  /** STEP_TIMEOUT_SECONDS, in milliseconds. */
  stepTimeoutMs: number;
  /** STUCK_TIMEOUT_SECONDS, in milliseconds. */
  stuckTimeoutMs: number;
}

export interface TimedEntry extends TimelineEntry {
  at: string;
}

export interface SentCommand extends CommandIntent {
  at: string;
}

export class SagaHarness {
  readonly timeline: TimedEntry[] = [];
  readonly sent: SentCommand[] = [];
  private saga: StoredSaga;
  private timing: SagaTiming = { deadline_at: null, deadline_token: null, stuck_since: null };
  private last: Decision;
  private readonly applied = new Set<string>();

  constructor(
    readonly input: OrderSagaInput,
    readonly timings: HarnessTimings,
    readonly clock = new VirtualClock(),
    version = 1,
  ) {
    this.last = startSaga(input, version);
    this.saga = this.last.saga;
    this.timing = nextTiming(this.last, this.timing, clock.now(), timings.stepTimeoutMs);
    this.record(this.last);
  }

  get status(): OrderStatus {
    return this.last.status;
  }

  get state(): string {
    return this.last.state;
  }

  get deadline(): Readonly<SagaTiming> {
    return this.timing;
  }

  get stored(): StoredSaga {
    return this.saga;
  }

  /**
   * Delivers an event now, as the runner would: `eventId` plays the inbox (a second delivery of
   * an id is a no-op) and a timeout with a stale token is ignored. Undefined when ignored.
   */
  send(event: OrderSagaEvent, eventId?: string): Decision | undefined {
    if (eventId !== undefined) {
      if (this.applied.has(eventId)) return undefined;
      this.applied.add(eventId);
    }
    if (isStaleTimeout(event, this.timing.deadline_token)) return undefined;
    const decision = decide(this.saga, event);
    this.record(decision);
    if (decision.accepted) {
      this.saga = decision.saga;
      this.last = decision;
      this.timing = nextTiming(decision, this.timing, this.clock.now(), this.timings.stepTimeoutMs);
    }
    return decision;
  }

  /** The answer a worker gives to the saga's command, with the given payload. */
  reply<T extends ReplyType>(
    type: T,
    command: CommandType,
    data: Omit<ReplyData[T], 'command_id'>,
  ): Decision | undefined {
    const event = { type, data: { ...data, command_id: commandIdOf(this.input.sagaId, command) } };
    return this.send(event as OrderSagaEvent);
  }

  /**
   * Lets time pass as the timeout sweeper sees it: every deadline and stuck expiry that falls
   * inside the window fires at its own instant, in order, with the event id the sweeper would
   * give it. Returns the events that fired.
   */
  advance(ms: number): OrderSagaEvent[] {
    const until = this.clock.now().getTime() + ms;
    const fired: OrderSagaEvent[] = [];
    for (;;) {
      const due = this.nextDue();
      if (!due || due.at > until) break;
      this.clock.set(new Date(due.at));
      if (this.send(due.event, due.id)) fired.push(due.event);
      else break;
    }
    this.clock.set(new Date(until));
    return fired;
  }

  private nextDue(): { at: number; id: string; event: OrderSagaEvent } | undefined {
    const { deadline_at, deadline_token, stuck_since } = this.timing;
    const { sagaId } = this.input;
    if (deadline_at !== null && deadline_token !== null) {
      const event = { type: 'step.timed_out' as const, data: { token: deadline_token } };
      return { at: Date.parse(deadline_at), id: `timeout:${sagaId}:${deadline_token}`, event };
    }
    if (this.status === 'STUCK' && stuck_since !== null) {
      const event = { type: 'saga.stuck_expired' as const, data: {} };
      const at = Date.parse(stuck_since) + this.timings.stuckTimeoutMs;
      return { at, id: `stuck-expired:${sagaId}:${stuck_since}`, event };
    }
    return undefined;
  }

  private record(decision: Decision): void {
    const at = this.clock.now().toISOString();
    for (const entry of decision.timeline) this.timeline.push({ ...entry, at });
    for (const command of decision.commands) this.sent.push({ ...command, at });
  }
}
