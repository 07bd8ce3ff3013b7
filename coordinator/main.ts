/** Composition root of the coordinator: the order API, the saga runner, the outbox relay. */
import path from 'node:path';
import { Router } from 'express';
import { Client } from 'pg';
import { describeError } from '../lib/logger';
import { batchSizeHistogram } from '../lib/metrics';
import { BatchConsumer } from '../lib/messaging/batch-consumer';
import { ConfirmPublisher } from '../lib/messaging/publisher';
import { registerQueueDepthGauges } from '../lib/messaging/queue-depth';
import { queues } from '../lib/messaging/topology';
import { ServiceContext, runService, topologyFor } from '../lib/service';
import { DeadLetterAdmin } from './admin/dead-letters';
import { FaultRules } from './admin/fault-rules';
import { OperatorActions } from './admin/operator-actions';
import { adminRoutes } from './http/admin';
import { orderRoutes } from './http/orders';
import { sagaMetrics } from './metrics';
import { OrderIntake } from './order-intake';
import { OutboxRelay } from './outbox-relay';
import { replyConsumer } from './reply-consumer';
import { sagaLifeLog } from './saga-life-log';
import { SagaRunner, TransitionObserver } from './saga-runner';
import { TimeoutSweeper } from './timeout-sweeper';
import { deadLetterHandler } from './dead-letter-events';

interface Coordinator {
  relay: OutboxRelay;
  runner: SagaRunner;
  intake: OrderIntake;
  actions: OperatorActions;
  deadLetters: DeadLetterAdmin;
  faultRules: FaultRules;
  metrics: ReturnType<typeof sagaMetrics>;
}

function build({ config, logger, db, broker, registry }: ServiceContext): Coordinator {
  const metrics = sagaMetrics(registry);
  registerQueueDepthGauges(registry, broker, topologyFor(config));
  const { host, port, user, password } = config.postgres;
  const onReturned = metrics.returned;
  const relay = new OutboxRelay(db, new ConfirmPublisher(broker, { onReturned }), {
    listen: () =>
      new Client({ host, port, user, password, database: config.postgres.databases.orders }),
    onError: (error, delayMs) =>
      logger.error('outbox relay failed', { retry_in_ms: delayMs, ...describeError(error) }),
    onPublished: (count) => metrics.published.inc(count),
  });
  const wake = () => relay.wake();
  const life = sagaLifeLog(logger);
  const observer: TransitionObserver = {
    onApplied(decision, createdAt) {
      metrics.observer.onApplied(decision, createdAt);
      life.observer.onApplied(decision, createdAt);
    },
  };
  const runner = new SagaRunner(db, wake, config.stepTimeoutSeconds * 1000, observer);
  return {
    relay,
    runner,
    metrics,
    actions: new OperatorActions(db, runner),
    deadLetters: new DeadLetterAdmin(broker),
    faultRules: new FaultRules(db, new ConfirmPublisher(broker, { onReturned }), (error) =>
      logger.warn('fault rule broadcast failed', describeError(error)),
    ),
    intake: new OrderIntake(
      db,
      (accepted) => {
        metrics.started.inc(accepted.length);
        life.accepted(accepted);
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
  routes: ({ intake, actions, deadLetters, faultRules }, { db, config }): Router =>
    Router()
      .use(orderRoutes({ db, intake, faultInjection: config.faultInjection }))
      .use(
        adminRoutes({
          db,
          adminToken: config.adminToken,
          faultInjection: config.faultInjection,
          actions,
          deadLetters,
          faultRules,
        }),
      ),
  async start({ relay, runner, faultRules, metrics }, { config, logger, broker, db, registry }) {
    relay.start();
    const batchSizes = batchSizeHistogram(registry);
    const replies = replyConsumer(broker, runner, logger, {
      prefetch: config.prefetchCount,
      onOutcome: (outcome) => metrics.events.inc({ outcome }),
      onBatch: (size) => batchSizes.observe({ queue: queues.coordinator }, size),
      onReturned: metrics.returned,
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
    faultRules.start();
    return [relay, replies, deadLetters, sweeper, faultRules];
  },
});
