/**
 * The I/O-side bookkeeping of a decision that the pure decider leaves to the runner: when the
 * step deadline falls (and its token), and since when a saga is stuck.
 */
import { randomUUID } from 'node:crypto';
import { Decision } from '../sagas/order/decide';
import { OrderSagaEvent } from '../sagas/order/machine';

export interface SagaTiming {
  deadline_at: string | null;
  deadline_token: string | null;
  stuck_since: string | null;
}

export function nextTiming(
  decision: Decision,
  current: SagaTiming,
  now: Date,
  stepTimeoutMs: number,
): SagaTiming {
  const { deadline } = decision;
  const armed =
    deadline.kind === 'arm'
      ? {
          deadline_at: new Date(now.getTime() + stepTimeoutMs + deadline.extraMs).toISOString(),
          // A fresh token makes every earlier timeout for this saga stale.
          deadline_token: randomUUID(),
        }
      : deadline.kind === 'clear'
        ? { deadline_at: null, deadline_token: null }
        : { deadline_at: current.deadline_at, deadline_token: current.deadline_token };
  const stuck_since =
    decision.status === 'STUCK' ? (current.stuck_since ?? now.toISOString()) : null;
  return { ...armed, stuck_since };
}

/** A timeout armed before the latest send or retry notice is stale: its token no longer matches. */
export function isStaleTimeout(event: OrderSagaEvent, deadlineToken: string | null): boolean {
  return event.type === 'step.timed_out' && event.data.token !== deadlineToken;
}
