/** Composition root of the coordinator: the order API, the saga runner, the outbox relay. */
import path from 'node:path';
import { Router } from 'express';
import { Client } from 'pg';
import { describeError } from '../lib/logger';
import { batchSizeHistogram, gaugeOf } from '../lib/metrics';
import { BatchConsumer } from '../lib/messaging/batch-consumer';
import { ConfirmPublisher } from '../lib/messaging/publisher';
import { registerQueueDepthGauges } from '../lib/messaging/queue-depth';
import { queues } from '../lib/messaging/topology';
import { ServiceContext, runService, topologyFor } from '../lib/service';
import { DeadLetterAdmin } from './admin/dead-letters';
import { FaultRules } from './admin/fault-rules';
import { OperatorActions } from './admin/operator-actions';
import { adminRoutes } from './http/admin';
import { consoleRoutes } from './http/console';
import { orderRoutes } from './http/orders';
import { sagaCountRoutes } from './http/saga-counts';
import { sagaDetailRoutes } from './http/saga-details';
import { sagaMetrics } from './metrics';
import { OrderIntake } from './order-intake';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxRelay } from './outbox-relay';
import { OrderWaiters } from './order-waiters';
import { replyConsumer } from './reply-consumer';
import { sagaLifeLog } from './saga-life-log';
import { SagaCache } from './saga-cache';
import { SagaRunner, TransitionObserver } from './saga-runner';
import { TimeoutSweeper } from './timeout-sweeper';
import { deadLetterHandler } from './dead-letter-events';
import { isRegistered, registeredVersions } from '../sagas/order/versions';

interface Coordinator {
  relay: OutboxRelay;
  dispatcher: OutboxDispatcher;
  waiters: OrderWaiters;
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
  const publisher = new ConfirmPublisher(broker, { onReturned });
  const relay = new OutboxRelay(db, publisher, {
    onError: (error, delayMs) =>
      logger.error('outbox relay failed', { retry_in_ms: delayMs, ...describeError(error) }),
    onPublished: (count) => metrics.published.inc(count),
  });
  const dispatcher = new OutboxDispatcher(db, publisher, {
    onPublished: (count) => metrics.published.inc(count),
    onPublishFailed: (error, rows) =>
      logger.warn('outbox publish failed; the relay will retry', {
        rows,
        ...describeError(error),
      }),
    onDeleteFailed: (error, delayMs) =>
      logger.warn('outbox cleanup failed', { retry_in_ms: delayMs, ...describeError(error) }),
  });
  const waiters: OrderWaiters = new OrderWaiters({
    listen: () =>
      new Client({ host, port, user, password, database: config.postgres.databases.orders }),
    onListenError: (error) => logger.warn('order notifications unavailable', describeError(error)),
  });
  gaugeOf(registry, 'order_saga_waiting_clients', 'Clients waiting for an order to settle', () =>
    Number(waiters.size),
  );
  const life = sagaLifeLog(logger);
  const observer: TransitionObserver = {
    onApplied(decision, createdAt) {
      metrics.observer.onApplied(decision, createdAt);
      life.observer.onApplied(decision, createdAt);
    },
  };
  const cache = new SagaCache();
  const runner = new SagaRunner(
    db,
    ({ outbox, settledOrderIds, changedOrderIds }) => {
      dispatcher.dispatch(outbox);
      waiters.settled(settledOrderIds);
      waiters.changed(changedOrderIds);
    },
    config.stepTimeoutSeconds * 1000,
    observer,
    cache,
  );
  return {
    relay,
    dispatcher,
    waiters,
    runner,
    metrics,
    actions: new OperatorActions(db, runner),
    deadLetters: new DeadLetterAdmin(broker),
    faultRules: new FaultRules(db, new ConfirmPublisher(broker, { onReturned }), (error) =>
      logger.warn('fault rule broadcast failed', describeError(error)),
    ),
    intake: new OrderIntake(
      db,
      (accepted, outbox) => {
        metrics.started.inc(accepted.length);
        life.accepted(accepted);
        dispatcher.dispatch(outbox);
      },
      {
        maxRetryAttempts: config.maxRetryAttempts,
        stepTimeoutMs: config.stepTimeoutSeconds * 1000,
        sagaVersion: config.sagaVersion,
      },
      cache,
    ),
  };
}

void runService<Coordinator>({
  name: 'coordinator',
  port: (config) => config.ports.coordinator,
  database: (config) => config.postgres.databases.orders,
  migrationsDirectory: path.join(__dirname, '../migrations/orders'),
  configProblems: (config) =>
    isRegistered(config.sagaVersion)
      ? []
      : [
          `SAGA_VERSION ${config.sagaVersion} is not a registered order saga version ` +
            `(registered: ${registeredVersions().join(', ')})`,
        ],
  create: build,
  routes: ({ intake, waiters, actions, deadLetters, faultRules }, { db, config }): Router =>
    Router()
      .use(orderRoutes({ db, intake, waiters, faultInjection: config.faultInjection }))
      .use(sagaCountRoutes({ db }))
      .use(sagaDetailRoutes({ db }))
      .use(consoleRoutes({ workerPorts: config.ports }))
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
  async start(
    { relay, dispatcher, waiters, runner, faultRules, metrics },
    { config, logger, broker, db, registry },
  ) {
    relay.start();
    waiters.start();
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
    // Stopped in reverse: consumers first, then the publishes they caused, then the waiters.
    return [waiters, relay, dispatcher, replies, deadLetters, sweeper, faultRules];
  },
});
