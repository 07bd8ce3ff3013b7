/** Runs a worker as a service: its command queue consumed in batches, its read API served. */
import { Router } from 'express';
import { describeError } from '../../lib/logger';
import {
  batchSizeHistogram,
  returnedMessagesCounter,
  sampledGauge,
  unauthorizedMessagesCounter,
} from '../../lib/metrics';
import { fromAuthors } from '../../lib/messaging/authorship';
import { BatchConsumer } from '../../lib/messaging/batch-consumer';
import { deadLetterVia } from '../../lib/messaging/dead-letter';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { exchanges } from '../../lib/messaging/topology';
import { RawRoute, ServiceContext, runService } from '../../lib/service';
import { retentionLoop } from '../../lib/retention';
import { cloudwatchReporter } from '../../lib/telemetry/cloudwatch';
import { FaultRuleListener } from './fault-rules';
import { workerMetrics } from './metrics';
import { WorkerApi, workerDocument } from './openapi';
import { workerRetention } from './retention-tasks';
import { CommandHandler } from './worker';
import { commandBatchHandler } from './worker';

export interface WorkerDefinition<TPrepared> {
  name: 'payment' | 'inventory' | 'shipping';
  queue: string;
  port(context: ServiceContext['config']): number;
  database(context: ServiceContext['config']): string;
  migrationsDirectory: string;
  handler(context: ServiceContext): CommandHandler<TPrepared>;
  routes(context: ServiceContext): Router;
  /** What its routes take and answer, published at /openapi.json and /docs. */
  api: WorkerApi;
  /** Requests answered before the worker's Express app (e.g. a simulator of a remote system). */
  rawRoutes?(context: ServiceContext): RawRoute;
  prepare?(context: ServiceContext): Promise<void>;
}

/** Default PostgreSQL connections per worker instance (POSTGRES_POOL_SIZE overrides it). */
export const WORKER_POOL_SIZE = 4;

export function runWorker<TPrepared>(definition: WorkerDefinition<TPrepared>): void {
  void runService<{ handler: CommandHandler<TPrepared>; routes: Router }>({
    name: definition.name,
    port: definition.port,
    database: definition.database,
    // A worker runs one batch transaction at a time, plus its read routes.
    poolSize: WORKER_POOL_SIZE,
    migrationsDirectory: definition.migrationsDirectory,
    create: (context) => ({
      handler: definition.handler(context),
      routes: definition.routes(context),
    }),
    routes: ({ routes }) => routes,
    document: () => workerDocument(definition.api),
    ...(definition.rawRoutes
      ? { rawRoutes: (_parts, context) => definition.rawRoutes!(context) }
      : {}),
    prepare: (_parts, context) => definition.prepare?.(context) ?? Promise.resolve(),
    async start({ handler }, { config, logger, db, broker, registry }) {
      const metrics = workerMetrics(registry);
      const batchSizes = batchSizeHistogram(registry);
      const emf = cloudwatchReporter(config, definition.name);
      emf?.start();
      const unauthorized = unauthorizedMessagesCounter(registry);
      const faultRules = new FaultRuleListener(broker, logger, [config.authors.coordinator], () =>
        unauthorized(exchanges.control),
      );
      if (config.faultInjection) await faultRules.start();
      sampledGauge(
        registry,
        'order_saga_fault_rules_active',
        'Runtime fault rules this worker instance holds now (the set broadcast to every worker)',
        [],
        async () => [{ labels: {}, value: faultRules.activeRules() }],
      );
      const publisher = new ConfirmPublisher(broker, {
        onReturned: returnedMessagesCounter(registry),
        userId: config.rabbitmq.user,
      });
      const consumer = new BatchConsumer(broker, {
        queue: definition.queue,
        prefetch: config.prefetchCount,
        maxBatch: 200,
        onBatch: (size) => batchSizes.observe({ queue: definition.queue }, size),
        // Commands come from the coordinator; this worker's own account re-sends its retries.
        handle: fromAuthors(
          [config.authors.coordinator, config.rabbitmq.user],
          commandBatchHandler({
            queue: definition.queue,
            db,
            publisher,
            handler,
            policy: config,
            logger,
            faultInjection: config.faultInjection,
            faultRules,
            onReplied: (answered) => {
              metrics.onReplied(answered);
              for (const { command, duplicate } of answered) {
                if (duplicate) continue;
                emf?.recorder.count('CommandsProcessed');
                emf?.recorder.duration(
                  'StepLatencyMs',
                  Date.now() - Date.parse(command.occurred_at),
                );
              }
            },
            onRetry: (command) => {
              metrics.onRetry(command);
              emf?.recorder.count('CommandRetries');
            },
          }),
          (message, author) => {
            unauthorized(definition.queue);
            logger.warn('unauthorized command dead-lettered', {
              queue: definition.queue,
              message_id: message.properties.messageId,
              author: author ?? null,
            });
          },
        ),
        onTransientFailure: (error, attempt, delayMs) =>
          logger.warn('command batch will be retried', {
            attempt,
            retry_in_ms: delayMs,
            ...describeError(error),
          }),
        onRejected: (message, reason) =>
          logger.error('command rejected', { message_id: message.properties.messageId, reason }),
        deadLetter: deadLetterVia(publisher, definition.queue),
      });
      await consumer.start();
      const retention = retentionLoop({ db, registry, logger }, workerRetention(config.retention));
      retention.start();
      // The EMF reporter stops last, so its final line counts everything before it.
      return [...(emf ? [emf] : []), faultRules, consumer, retention];
    },
  });
}
