/** The coordinator's CloudWatch (EMF) metrics: saga starts, outcomes and end-to-end duration. */
import { EmfRecorder } from '../lib/telemetry/emf';
import { TransitionObserver } from './saga-runner';

const outcomeMetric = {
  COMPLETED: 'SagasCompleted',
  CANCELLED: 'SagasCancelled',
  STUCK: 'SagasStuck',
} as const;

export function sagaOutcomeRecorder(recorder: EmfRecorder): TransitionObserver {
  return {
    onApplied(decision, createdAt) {
      if (!(decision.status in outcomeMetric)) return;
      // A saga settles once: a STUCK one that an operator resumes may settle again, later.
      const status = decision.status as keyof typeof outcomeMetric;
      recorder.count(outcomeMetric[status]);
      if (status !== 'STUCK') recorder.duration('SagaDurationMs', Date.now() - createdAt.getTime());
    },
  };
}
