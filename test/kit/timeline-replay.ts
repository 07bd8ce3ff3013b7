/**
 * Replays a saga's recorded timeline through the saga definition of today's code and reports
 * every decision that would differ: the safety net for changing a definition while sagas
 * recorded with it exist.
 *
 * The timeline records what the saga received (replies, retry notices, dead letters, timeouts,
 * operator actions) and what it decided (commands sent, steps failed, states reached). The
 * replay turns each received entry back into the event, lets the decider decide, and checks
 * that the entries it writes are the recorded ones. A stuck saga that goes on without an
 * operator's entry was expired by the sweeper.
 */
import { CommandType, Failure, OrderLine } from '../../sagas/contracts/messages';
import { Decision, StoredSaga, TimelineEntry, decide, startSaga } from '../../sagas/order/decide';
import { OrderSagaEvent } from '../../sagas/order/machine';

/** A timeline entry as `GET /orders/{id}/timeline` returns it. */
export interface RecordedEntry extends TimelineEntry {
  seq: number;
  at: string;
}

/** What `npm run saga:fixture` writes: the saga's inputs and its timeline. */
export interface RecordedSaga {
  description: string;
  saga: {
    saga_id: string;
    order_id: string;
    version: number;
    items: OrderLine[];
    total: number;
    max_retry_attempts: number;
    status: string;
  };
  timeline: RecordedEntry[];
}

export interface ReplayResult {
  /** Empty when every decision of today's definition matches the recorded one. */
  differences: string[];
  decisions: number;
  finalStatus: string;
}

const breakerNotes = ['STEP_PAUSED', 'STEP_RESUMED'];

export function replayTimeline(recorded: RecordedSaga): ReplayResult {
  const { saga } = recorded;
  // The circuit breaker's notes are the runner's, written beside decisions, never by one.
  const entries = recorded.timeline.filter((e) => !breakerNotes.includes(e.type));
  const differences: string[] = [];
  // A saga keeps the definition version it started on: it is replayed on that one.
  const first = startSaga(
    {
      sagaId: saga.saga_id,
      orderId: saga.order_id,
      items: saga.items,
      total: saga.total,
      maxRetryAttempts: saga.max_retry_attempts,
    },
    saga.version,
  );
  let cursor = compare(first, entries, 0, 'start', differences);
  let current: { stored: StoredSaga; status: string } = {
    stored: first.saga,
    status: first.status,
  };
  let decisions = 1;
  for (let entry = entries[cursor]; entry && differences.length === 0; entry = entries[cursor]) {
    const event = eventOf(entry, entries[cursor + 1], current.status);
    if (!event) {
      differences.push(`#${entry.seq} ${entry.type}: no decision of today's definition writes it`);
      break;
    }
    const decision = decide(current.stored, event);
    decisions += 1;
    cursor = compare(decision, entries, cursor, `#${entry.seq} ${event.type}`, differences);
    if (decision.accepted) current = { stored: decision.saga, status: decision.status };
  }
  if (differences.length === 0 && current.status !== saga.status) {
    differences.push(`ends ${current.status}, recorded ${saga.status}`);
  }
  return { differences, decisions, finalStatus: current.status };
}

/** Checks a decision's entries against the recorded ones from `cursor`; returns the next cursor. */
function compare(
  decision: Decision,
  entries: readonly RecordedEntry[],
  cursor: number,
  cause: string,
  differences: string[],
): number {
  decision.timeline.forEach((produced, offset) => {
    const recorded = entries[cursor + offset];
    const want = recorded ? comparable(recorded) : 'nothing';
    const got = comparable(produced);
    if (want !== got) differences.push(`${cause}: writes ${got}, recorded ${want}`);
  });
  return cursor + decision.timeline.length;
}

/** An entry without its sequence number and time, keys in a stable order. */
function comparable(entry: TimelineEntry | RecordedEntry): string {
  const { seq: _seq, at: _at, ...rest } = entry as RecordedEntry;
  return JSON.stringify(sortedKeys(rest));
}

function sortedKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(entries.map(([key, inner]) => [key, sortedKeys(inner)]));
}

/** The event a received entry records; undefined when the entry is a decision's own output. */
function eventOf(
  entry: RecordedEntry,
  next: RecordedEntry | undefined,
  status: string,
): OrderSagaEvent | undefined {
  const command = entry.command as CommandType;
  const failure: Failure = { code: entry.code ?? '', message: entry.message ?? '' };
  switch (entry.type) {
    case 'REPLY_RECEIVED':
      return replyEvent(entry, next);
    case 'RETRY_SCHEDULED': {
      const { command_id = '', attempt = 1, delay_ms = 0 } = entry;
      return {
        type: 'command.retry_scheduled',
        data: { command_id, command, retry: attempt, delay_ms, ...failure },
      };
    }
    case 'DEAD_LETTERED': {
      const { command_id = '', attempt = 1 } = entry;
      return {
        type: 'command.dead_lettered',
        data: { command_id, command, attempts: attempt, ...failure },
      };
    }
    case 'STEP_TIMED_OUT':
      // The runner drops stale timeouts before the decider sees them; a recorded one was current.
      return { type: 'step.timed_out', data: { token: 'recorded' } };
    case 'ADMIN_REPLAY':
    case 'ADMIN_CANCEL':
      return {
        type: entry.type === 'ADMIN_REPLAY' ? 'operator.replay' : 'operator.cancel',
        data: {
          actor: entry.actor ?? '',
          reason: typeof entry.reason === 'string' ? entry.reason : '',
        },
      };
    default:
      return status === 'STUCK' ? { type: 'saga.stuck_expired', data: {} } : undefined;
  }
}

/**
 * A reply as the worker sent it. The timeline keeps its type and command id; a business
 * failure's code and message are on the STEP_FAILED entry that follows it, and the payload of a
 * success is not read by the definition.
 */
function replyEvent(entry: RecordedEntry, next: RecordedEntry | undefined): OrderSagaEvent {
  const reason =
    next?.type === 'STEP_FAILED' && typeof next.reason === 'object' ? next.reason : undefined;
  const data = {
    command_id: entry.command_id ?? '',
    code: reason?.code ?? 'RECORDED',
    message: reason?.message ?? '',
    authorization_id: 'recorded',
    voided: 1,
    released: true,
    shipment_id: 'recorded',
    tracking_number: 'recorded',
  };
  return { type: entry.reply, data } as OrderSagaEvent;
}
