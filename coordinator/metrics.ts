/** The coordinator's saga metrics: outcomes, end-to-end latency, throughput, retries. */
import type { Registry } from 'prom-client';
import { counter, histogram, returnedMessagesCounter } from '../lib/metrics';
import { terminalStatuses } from '../sagas/order/status';
import { TransitionObserver } from './saga-runner';

export function sagaMetrics(registry: Registry) {
  const outcomes = counter(registry, 'saga_outcomes_total', 'Sagas ended, by status', ['status']);
  const started = counter(registry, 'saga_started_total', 'Sagas started');
  const latency = histogram(
    registry,
    'saga_end_to_end_seconds',
    'Time from order accepted to saga ended',
    ['status'],
  );
  const events = counter(registry, 'saga_events_total', 'Replies handled, by outcome', ['outcome']);
  const published = counter(registry, 'outbox_published_total', 'Outbox rows published');
  // Workers count their own retries, but only the coordinator sees both causes of a re-send.
  const retries = counter(registry, 'saga_retries_total', 'Commands retried, by step and cause', [
    'step',
    'cause',
  ]);
  const observer: TransitionObserver = {
    onApplied(decision, createdAt) {
      for (const entry of decision.timeline) {
        if (!entry.step) continue;
        if (entry.type === 'RETRY_SCHEDULED') retries.inc({ step: entry.step, cause: 'error' });
        // A timeout re-sends only while the retry budget lasts; the last one makes it STUCK.
        if (entry.type === 'STEP_TIMED_OUT' && decision.commands.length > 0)
          retries.inc({ step: entry.step, cause: 'timeout' });
      }
      if (!terminalStatuses.includes(decision.status)) return;
      outcomes.inc({ status: decision.status });
      latency.observe({ status: decision.status }, (Date.now() - createdAt.getTime()) / 1000);
    },
  };
  // One counter for every publisher of the coordinator: a registry takes each name once.
  const returned = returnedMessagesCounter(registry);
  return { observer, started, events, published, returned };
}
