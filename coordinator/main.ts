/** Composition root of the coordinator: the order API, the saga runner, the outbox relay. */
import path from 'node:path';
import { Router } from 'express';
import { Client } from 'pg';
import { describeError } from '../lib/logger';
import { BatchConsumer } from '../lib/messaging/batch-consumer';
import { ConfirmPublisher } from '../lib/messaging/publisher';
import { registerQueueDepthGauges } from '../lib/messaging/queue-depth';
import { buildTopology, queues } from '../lib/messaging/topology';
import { ServiceContext, runService } from '../lib/service';
import { orderRoutes } from './http/orders';
import { sagaMetrics } from './metrics';
import { OrderIntake } from './order-intake';
import { OutboxRelay } from './outbox-relay';
import { replyHandler } from './reply-consumer';
import { SagaRunner } from './saga-runner';
import { TimeoutSweeper } from './timeout-sweeper';
import { deadLetterHandler } from './dead-letter-events';

interface Coordinator {
  relay: OutboxRelay;
  runner: SagaRunner;
  intake: OrderIntake;
  metrics: ReturnType<typeof sagaMetrics>;
}

function build({ config, logger, db, broker, registry }: ServiceContext): Coordinator {
  const metrics = sagaMetrics(registry);
  registerQueueDepthGauges(
    registry,
    broker,
    buildTopology({ retryLevels: config.maxRetryAttempts }),
  );
  const { host, port, user, password } = config.postgres;
  const relay = new OutboxRelay(db, new ConfirmPublisher(broker), {
    listen: () =>
      new Client({ host, port, user, password, database: config.postgres.databases.orders }),
    onError: (error, delayMs) =>
      logger.error('outbox relay failed', { retry_in_ms: delayMs, ...describeError(error) }),
    onPublished: (count) => metrics.published.inc(count),
  });
  const wake = () => relay.wake();
  return {
    relay,
    metrics,
    runner: new SagaRunner(db, wake, config.stepTimeoutSeconds * 1000, metrics.observer),
    intake: new OrderIntake(
      db,
      (created) => {
        metrics.started.inc(created);
        wake();
      },
      {
        maxRetryAttempts: config.maxRetryAttempts,
        stepTimeoutMs: config.stepTimeoutSeconds * 1000,
      },
    ),
  };
}

void runService<Coordinator>({
  name: 'coordinator',
  port: (config) => config.ports.coordinator,
  database: (config) => config.postgres.databases.orders,
  migrationsDirectory: path.join(__dirname, '../migrations/orders'),
  create: build,
  routes: ({ intake }, { db, config }): Router =>
    orderRoutes({ db, intake, faultInjection: config.faultInjection }),
  async start({ relay, runner }, { config, logger, broker, db }) {
    relay.start();
    const replies = new BatchConsumer(broker, {
      queue: queues.coordinator,
      prefetch: config.prefetchCount,
      maxBatch: 200,
      handle: replyHandler(runner, logger),
      onTransientFailure: (error, attempt, delayMs) =>
        logger.warn('reply batch will be retried', {
          attempt,
          retry_in_ms: delayMs,
          ...describeError(error),
        }),
      onRejected: (message, reason) =>
        logger.error('reply dead-lettered', { message_id: message.properties.messageId, reason }),
    });
    await replies.start();
    const deadLetters = new BatchConsumer(broker, {
      queue: queues.deadLetterEvents,
      prefetch: 64,
      maxBatch: 64,
      handle: deadLetterHandler(runner, logger),
      onTransientFailure: (error, attempt, delayMs) =>
        logger.warn('dead-letter batch will be retried', {
          attempt,
          retry_in_ms: delayMs,
          ...describeError(error),
        }),
    });
    await deadLetters.start();
    const sweeper = new TimeoutSweeper(db, runner, {
      intervalMs: Math.min(1_000, config.stepTimeoutSeconds * 250),
      stuckTimeoutSeconds: config.stuckTimeoutSeconds,
      onError: (error) => logger.warn('timeout sweep failed', describeError(error)),
    });
    sweeper.start();
    return [relay, replies, deadLetters, sweeper];
  },
});
