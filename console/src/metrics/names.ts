/**
 * The coordinator's metric names, in one table: the overview reads every metric through it, so
 * renaming a metric on the server is one edit here.
 */
export const metricNames = {
  started: 'saga_started_total',
  outcomes: 'saga_outcomes_total',
  endToEndSeconds: 'saga_end_to_end_seconds',
  retries: 'saga_retries_total',
  events: 'saga_events_total',
  published: 'outbox_published_total',
  queueDepth: 'saga_queue_depth',
  deadLetterDepth: 'saga_dlq_depth',
  waitingClients: 'order_saga_waiting_clients',
  processStart: 'process_start_time_seconds',
} as const;
