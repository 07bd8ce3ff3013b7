/**
 * The coordinator's metric names, in one table: the overview reads every metric through it, so
 * renaming a metric on the server is one edit here.
 */
export const metricNames = {
  started: 'order_saga_sagas_started_total',
  outcomes: 'order_saga_sagas_ended_total',
  endToEndSeconds: 'order_saga_end_to_end_duration_seconds',
  retries: 'order_saga_retries_total',
  events: 'order_saga_replies_handled_total',
  published: 'order_saga_outbox_published_total',
  queueDepth: 'order_saga_queue_messages',
  deadLetterDepth: 'order_saga_dlq_messages',
  waitingClients: 'order_saga_waiting_clients',
  processStart: 'order_saga_process_start_time_seconds',
} as const;
