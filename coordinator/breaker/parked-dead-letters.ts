/**
 * A dead letter of a step whose breaker is open is the outage's, not the order's: instead of
 * leaving the saga STUCK for an operator, the coordinator replays it at once, in the operator's
 * way (same command id), and the re-sent command waits in the outbox with the step's backlog.
 * The saga is STUCK only between two commits and is never left there.
 */
import { Database } from '../../lib/db';
import { Step } from '../../sagas/contracts/envelope';
import { commandStep } from '../../sagas/contracts/messages';
import { EventOutcome, SagaEvent, SagaRunner } from '../saga-runner';

export const BREAKER_ACTOR = 'circuit-breaker';

/** Replay events for the dead letters whose step is held. */
export function parkedReplays(
  notices: readonly SagaEvent[],
  outcomes: readonly EventOutcome[],
  isHeld: (step: Step) => boolean,
): SagaEvent[] {
  return notices.flatMap((notice, i) => {
    const { event } = notice;
    // A duplicate too: had the process died between the two commits, the redelivered dead
    // letter is one, and the replay (deduplicated by its own id) is still owed.
    if (!['applied', 'duplicate'].includes(outcomes[i]!) || event.type !== 'command.dead_lettered')
      return [];
    if (event.data.code === 'POISON') return [];
    const step = commandStep[event.data.command];
    if (!isHeld(step)) return [];
    const reason = `step ${step} paused by its circuit breaker`;
    return [
      {
        sagaId: notice.sagaId,
        messageId: `breaker-replay:${notice.messageId}`,
        event: { type: 'operator.replay', data: { actor: BREAKER_ACTOR, reason } },
        annotations: [{ type: 'STEP_PAUSED', step, actor: BREAKER_ACTOR, reason }],
      },
    ];
  });
}

/**
 * When a step's breaker opens, the sagas its failures made STUCK just before (within the
 * breaker's window, before it had enough evidence) are the outage's too: they are replayed
 * the same way and wait with the backlog. A message that can never be processed is left alone.
 */
export async function parkRecentVictims(
  db: Database,
  runner: SagaRunner,
  step: Step,
  windowMs: number,
): Promise<number> {
  const { rows } = await db.raw<{ rows: Array<{ saga_id: string; since: string }> }>(
    `SELECT saga_id, stuck_since::text AS since FROM sagas
     WHERE status = 'STUCK' AND step = ? AND stuck_since >= now() - make_interval(secs => ?)
       AND coalesce(reason ->> 'code', '') <> 'POISON'`,
    [step, windowMs / 1000],
  );
  if (rows.length === 0) return 0;
  const reason = `step ${step} paused by its circuit breaker`;
  const events: SagaEvent[] = rows.map(({ saga_id, since }) => ({
    sagaId: saga_id,
    messageId: `breaker-replay:${saga_id}:${since}`,
    event: { type: 'operator.replay', data: { actor: BREAKER_ACTOR, reason } },
    annotations: [{ type: 'STEP_PAUSED', step, actor: BREAKER_ACTOR, reason }],
  }));
  const outcomes = await runner.handle(events);
  return outcomes.filter((o) => o === 'applied').length;
}
