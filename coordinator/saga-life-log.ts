/**
 * A saga's life in the coordinator's log, at info: one line when its order is accepted and one
 * at each turn an operator looks for (completed, cancelled, stuck, replayed, cancelled by an
 * operator). Each is a stable message with the saga's ids as fields, its status after the
 * turn and the time since the order was accepted, so that one order's story is a search for
 * its order_id. Until messages carry a correlation id of their own, it is the saga id.
 */
import { Logger } from '../lib/logger';
import { Decision, TimelineEntry } from '../sagas/order/decide';
import { AcceptedSaga } from './order-intake';
import { TransitionObserver } from './saga-runner';

export interface SagaLifeLine {
  message: string;
  fields: Record<string, unknown>;
}

/** The timeline entries that are turns of a saga's life, and their log message. */
const lifeMessages: Readonly<Record<string, string>> = {
  SAGA_COMPLETED: 'saga completed',
  SAGA_CANCELLED: 'saga cancelled',
  SAGA_STUCK: 'saga stuck',
  ADMIN_REPLAY: 'saga replayed',
  ADMIN_CANCEL: 'saga cancelled by operator',
};

export function acceptedLine({ saga_id, order_id }: AcceptedSaga): SagaLifeLine {
  return {
    message: 'saga accepted',
    fields: { saga_id, order_id, correlation_id: saga_id, status: 'PENDING' },
  };
}

/** The life lines of one applied decision, in timeline order; `now` is when it committed. */
export function lifeLines(decision: Decision, createdAt: Date, now: Date): SagaLifeLine[] {
  const { sagaId, orderId } = decision.saga.context;
  const common = {
    saga_id: sagaId,
    order_id: orderId,
    correlation_id: sagaId,
    status: decision.status,
    duration_ms: now.getTime() - createdAt.getTime(),
  };
  return decision.timeline.flatMap((entry) => {
    const message = lifeMessages[entry.type];
    return message ? [{ message, fields: { ...common, ...detailsOf(entry, decision) } }] : [];
  });
}

/** Why: the failure behind a stuck or cancelled saga, or the operator and their words. */
function detailsOf(entry: TimelineEntry, decision: Decision): Record<string, unknown> {
  if (entry.type === 'ADMIN_REPLAY' || entry.type === 'ADMIN_CANCEL') {
    return { actor: entry.actor, reason: entry.reason };
  }
  if (entry.type === 'SAGA_COMPLETED' || !decision.reason) return {};
  const { step, code, message } = decision.reason;
  return { step, code, reason: message };
}

/** Writes the life lines of every applied decision to `logger`. */
export function sagaLifeLog(logger: Logger, clock: () => Date = () => new Date()) {
  const write = ({ message, fields }: SagaLifeLine) => logger.info(message, fields);
  const observer: TransitionObserver = {
    onApplied(decision, createdAt) {
      lifeLines(decision, createdAt, clock()).forEach(write);
    },
  };
  return {
    observer,
    accepted: (sagas: readonly AcceptedSaga[]) => sagas.map(acceptedLine).forEach(write),
  };
}
