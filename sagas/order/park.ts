/**
 * What becomes of a saga whose definition version this build does not register (an older
 * version removed too early, or a newer one rolled back): it is parked as STUCK, so one such
 * saga never fails a batch of others, and an operator finds it with the diagnosis "unknown
 * version". The snapshot is parked the way every order saga definition parks itself (state
 * `stuck`, `stuckFrom` the state it was in), so once its version is deployed again a replay
 * resumes it and a cancel compensates it like any stuck saga.
 */
import { Step } from '../contracts/envelope';
import { Decision, StoredSaga } from './decide';
import { FailureReason } from './machine';
import { stateName } from './status';

export const UNKNOWN_VERSION_CODE = 'UNKNOWN_VERSION';

/**
 * `step` is the step in progress as stored beside the saga (the snapshot alone cannot tell).
 * A saga with none has ended or is already stuck: it is left as it is.
 */
export function parkUnknownVersion(stored: StoredSaga, step: Step | null): Decision {
  const from = stateName(stored.value);
  if (step === null || from === 'stuck') {
    // Ended, or already waiting for an operator: nothing to change, nothing new to record.
    return {
      accepted: false,
      saga: stored,
      state: from,
      status: from === 'stuck' ? 'STUCK' : from === 'completed' ? 'COMPLETED' : 'CANCELLED',
      step: null,
      reason: stored.context.reason,
      commands: [],
      timeline: [],
      deadline: { kind: 'keep' },
    };
  }
  const reason: FailureReason = {
    step,
    code: UNKNOWN_VERSION_CODE,
    message: `no order saga definition is registered for version ${stored.version}`,
  };
  return {
    accepted: true,
    saga: {
      version: stored.version,
      value: 'stuck',
      context: { ...stored.context, stuckFrom: from, reason },
    },
    state: 'stuck',
    status: 'STUCK',
    step: reason.step,
    reason,
    commands: [],
    timeline: [{ type: 'SAGA_STUCK', step: reason.step, reason }],
    deadline: { kind: 'clear' },
  };
}
