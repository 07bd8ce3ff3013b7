/**
 * The coordinator's saga metrics: sagas started and ended by outcome, end-to-end latency,
 * retries, step timeouts and dead letters by step, replies by inbox outcome, outbox publishing.
 * All counted in memory after commit; nothing here touches the database.
 */
import type { Registry } from 'prom-client';
import { batchBuckets, counter, histogram, returnedMessagesCounter } from '../lib/metrics';
import { terminalStatuses } from '../sagas/order/status';
import type { EventOutcome, TransitionObserver } from './saga-runner';

/** Which way an outbox row left: published at once after commit, or later by the relay. */
export type PublishPath = 'fast' | 'relay';

export function sagaMetrics(registry: Registry) {
  const outcomes = counter(registry, 'order_saga_sagas_ended_total', 'Sagas ended, by status', [
    'status',
  ]);
  const started = counter(registry, 'order_saga_sagas_started_total', 'Sagas started');
  const latency = histogram(
    registry,
    'order_saga_end_to_end_duration_seconds',
    'Time from order accepted to saga ended, by status',
    ['status'],
  );
  const events = counter(
    registry,
    'order_saga_replies_handled_total',
    'Replies and notices handled by the saga runner, by inbox outcome',
    ['outcome'],
  );
  const duplicates = counter(
    registry,
    'order_saga_inbox_duplicates_total',
    'Messages the inbox recognised as already handled',
  );
  const published = counter(
    registry,
    'order_saga_outbox_published_total',
    'Outbox rows published, by path',
    ['path'],
  );
  const publishSeconds = histogram(
    registry,
    'order_saga_outbox_publish_duration_seconds',
    'Time to publish one batch of outbox rows until every confirm is in, by path',
    ['path'],
  );
  const publishBatch = histogram(
    registry,
    'order_saga_outbox_publish_batch_size_messages',
    'Outbox rows published per batch, by path',
    ['path'],
    batchBuckets,
  );
  // Workers count their own retries, but only the coordinator sees both causes of a re-send.
  const retries = counter(
    registry,
    'order_saga_retries_total',
    'Commands retried, by step and cause',
    ['step', 'cause'],
  );
  const timeouts = counter(
    registry,
    'order_saga_step_timeouts_total',
    'Steps whose reply did not come before the deadline, by step',
    ['step'],
  );
  const deadLetters = counter(
    registry,
    'order_saga_dead_letters_total',
    'Commands dead-lettered (the saga moved to STUCK), by step',
    ['step'],
  );
  // A wait is not a retry: the command was never re-sent, it was still queued for a worker.
  const waits = counter(
    registry,
    'order_saga_worker_waits_total',
    'Sagas that found their command still queued for a worker at a step deadline, by step',
    ['step'],
  );
  const observer: TransitionObserver = {
    onApplied(decision, createdAt) {
      for (const entry of decision.timeline) {
        if (!entry.step) continue;
        if (entry.type === 'RETRY_SCHEDULED') retries.inc({ step: entry.step, cause: 'error' });
        if (entry.type === 'STEP_TIMED_OUT') {
          timeouts.inc({ step: entry.step });
          // A timeout re-sends only while the retry budget lasts; the last one makes it STUCK.
          if (decision.commands.length > 0) retries.inc({ step: entry.step, cause: 'timeout' });
        }
        if (entry.type === 'DEAD_LETTERED') deadLetters.inc({ step: entry.step });
        if (entry.type === 'WAITING_FOR_WORKER') waits.inc({ step: entry.step });
      }
      if (!terminalStatuses.includes(decision.status)) return;
      outcomes.inc({ status: decision.status });
      latency.observe({ status: decision.status }, (Date.now() - createdAt.getTime()) / 1000);
    },
  };
  const onOutcome = (outcome: EventOutcome) => {
    events.inc({ outcome });
    if (outcome === 'duplicate') duplicates.inc();
  };
  const onPublished = (path: PublishPath, count: number, seconds: number) => {
    published.inc({ path }, count);
    publishSeconds.observe({ path }, seconds);
    publishBatch.observe({ path }, count);
  };
  // One counter for every publisher of the coordinator: a registry takes each name once.
  const returned = returnedMessagesCounter(registry);
  return { observer, started, onOutcome, onPublished, returned };
}
