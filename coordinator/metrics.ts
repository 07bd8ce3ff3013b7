/** The coordinator's saga metrics (SPEC §9): outcomes, end-to-end latency, throughput. */
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
  const observer: TransitionObserver = {
    onApplied(decision, createdAt) {
      if (!terminalStatuses.includes(decision.status)) return;
      outcomes.inc({ status: decision.status });
      latency.observe({ status: decision.status }, (Date.now() - createdAt.getTime()) / 1000);
    },
  };
  // One counter for every publisher of the coordinator: a registry takes each name once.
  const returned = returnedMessagesCounter(registry);
  return { observer, started, events, published, returned };
}
