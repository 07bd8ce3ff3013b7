/** Composition root of the coordinator: the order API, the saga runner, the outbox relay. */
// Before anything else: tracing patches the modules the service loads next.
import './tracing';
import path from 'node:path';
import { Router } from 'express';
import { Client } from 'pg';
import { ownBackendPids, pgClientConfig } from '../lib/db';
import { describeError } from '../lib/logger';
import type { ConsumeMessage } from 'amqplib';
import { batchSizeHistogram, gaugeOf, unauthorizedMessagesCounter } from '../lib/metrics';
import { fromAuthors } from '../lib/messaging/authorship';
import { BatchConsumer } from '../lib/messaging/batch-consumer';
import { ConfirmPublisher } from '../lib/messaging/publisher';
import { registerQueueDepthGauges } from '../lib/messaging/queue-depth';
import { brokerQueueProbe } from '../lib/messaging/queue-probe';
import { queues } from '../lib/messaging/topology';
import { ServiceContext, runService, topologyFor } from '../lib/service';
import { DeadLetterAdmin } from './admin/dead-letters';
import { FaultRules } from './admin/fault-rules';
import { OperatorActions } from './admin/operator-actions';
import { registerBreakerMetrics } from './breaker/metrics';
import { StepBreakers } from './breaker/step-breakers';
import { parkRecentVictims } from './breaker/parked-dead-letters';
import { adminRoutes } from './http/admin';
import { consoleRoutes } from './http/console';
import { coordinatorDocument } from './http/openapi';
import { orderRoutes } from './http/orders';
import { sagaCountRoutes } from './http/saga-counts';
import { sagaDetailRoutes } from './http/saga-details';
import { PublishPath, sagaMetrics } from './metrics';
import { registerRiskGauges } from './risk-gauges';
import { cloudwatchReporter } from '../lib/telemetry/cloudwatch';
import { EmfReporter } from '../lib/telemetry/emf';
import { sagaOutcomeRecorder } from './cloudwatch-metrics';
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
import { retentionLoop } from '../lib/retention';
import { coordinatorRetention } from './retention-tasks';

// Beside this entry point's directory in dist/ (the console's own build), wherever the code
// that serves it was compiled to.
const consoleDirectory = path.join(__dirname, '../console');

interface Coordinator {
  relay: OutboxRelay;
  dispatcher: OutboxDispatcher;
  waiters: OrderWaiters;
  runner: SagaRunner;
  intake: OrderIntake;
  actions: OperatorActions;
  deadLetters: DeadLetterAdmin;
  faultRules: FaultRules;
  breakers: StepBreakers;
  metrics: ReturnType<typeof sagaMetrics>;
  /** CloudWatch EMF lines, when CLOUDWATCH_NAMESPACE is set. */
  emf?: EmfReporter;
}

function build({ config, logger, db, broker, registry }: ServiceContext): Coordinator {
  const metrics = sagaMetrics(registry);
  const emf = cloudwatchReporter(config, 'coordinator');
  const emfOutcomes = emf && sagaOutcomeRecorder(emf.recorder);
  const published = (path: PublishPath, count: number, seconds: number) => {
    metrics.onPublished(path, count, seconds);
    emf?.recorder.count('MessagesPublished', count);
  };
  registerQueueDepthGauges(registry, broker, topologyFor(config));
  registerRiskGauges(registry, db);
  const onReturned = metrics.returned;
  const userId = config.rabbitmq.user;
  const publisher = new ConfirmPublisher(broker, { onReturned, userId });
  const breakers: StepBreakers = new StepBreakers(db, publisher, {
    ...config.breaker,
    stepTimeoutMs: config.stepTimeoutSeconds * 1000,
    onChange: (step, change, actor) => {
      breakerChanges.inc({ step, state: change.to });
      logger.warn('step breaker changed', {
        step,
        state: change.to,
        failure_rate: change.failureRate,
        actor,
      });
    },
    onError: (error) => logger.warn('step breaker run failed', describeError(error)),
    onOpened: async (step) => {
      const parked = await parkRecentVictims(db, runner, step, config.breaker.windowMs);
      if (parked > 0) logger.warn('stuck sagas parked behind the step breaker', { step, parked });
    },
  });
  const breakerChanges = registerBreakerMetrics(registry, db, breakers);
  const relay = new OutboxRelay(db, publisher, {
    heldRoutingKeys: () => breakers.heldRoutingKeys(),
    onError: (error, delayMs) =>
      logger.error('outbox relay failed', { retry_in_ms: delayMs, ...describeError(error) }),
    onPublished: (count, seconds) => published('relay', count, seconds),
  });
  const dispatcher = new OutboxDispatcher(db, publisher, {
    holds: (routingKey) => breakers.heldRoutingKeys().includes(routingKey),
    onPublished: (count, seconds) => published('fast', count, seconds),
    onPublishFailed: (error, rows) =>
      logger.warn('outbox publish failed; the relay will retry', {
        rows,
        ...describeError(error),
      }),
    onDeleteFailed: (error, delayMs) =>
      logger.warn('outbox cleanup failed', { retry_in_ms: delayMs, ...describeError(error) }),
  });
  const waiters: OrderWaiters = new OrderWaiters({
    listen: () => new Client(pgClientConfig(config.postgres, config.postgres.databases.orders)),
    onListenError: (error) => logger.warn('order notifications unavailable', describeError(error)),
    isOwnBackend: (processId) => ownBackendPids(db).has(processId),
  });
  gaugeOf(registry, 'order_saga_waiting_clients', 'Clients waiting for an order to settle', () =>
    Number(waiters.size),
  );
  const life = sagaLifeLog(logger);
  const observer: TransitionObserver = {
    onApplied(decision, createdAt) {
      metrics.observer.onApplied(decision, createdAt);
      life.observer.onApplied(decision, createdAt);
      emfOutcomes?.onApplied(decision, createdAt);
    },
  };
  const cache = new SagaCache();
  const runner = new SagaRunner(
    db,
    ({ outbox, settledOrderIds, settledOrders, changedOrderIds }) => {
      dispatcher.dispatch(outbox);
      waiters.settled(settledOrderIds, settledOrders);
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
    breakers,
    emf,
    actions: new OperatorActions(db, runner),
    deadLetters: new DeadLetterAdmin(broker, db, userId),
    faultRules: new FaultRules(db, new ConfirmPublisher(broker, { onReturned, userId }), (error) =>
      logger.warn('fault rule broadcast failed', describeError(error)),
    ),
    intake: new OrderIntake(
      db,
      (accepted, outbox) => {
        metrics.started.inc(accepted.length);
        emf?.recorder.count('SagasStarted', accepted.length);
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
  // Intake, the reply batches, the relay, the sweeper and the read API share it; the waiters'
  // LISTEN connection comes on top.
  poolSize: 10,
  migrationsDirectory: path.join(__dirname, '../migrations/orders'),
  configProblems: (config) =>
    isRegistered(config.sagaVersion)
      ? []
      : [
          `SAGA_VERSION ${config.sagaVersion} is not a registered order saga version ` +
            `(registered: ${registeredVersions().join(', ')})`,
        ],
  create: build,
  document: coordinatorDocument,
  routes: (
    { intake, waiters, actions, deadLetters, faultRules, breakers },
    { db, config },
  ): Router =>
    Router()
      .use(orderRoutes({ db, intake, waiters, faultInjection: config.faultInjection }))
      .use(sagaCountRoutes({ db }))
      .use(sagaDetailRoutes({ db }))
      .use(consoleRoutes({ workerPorts: config.ports, directory: consoleDirectory }))
      .use(
        adminRoutes({
          db,
          adminTokens: config.adminTokens,
          faultInjection: config.faultInjection,
          actions,
          deadLetters,
          faultRules,
          breakers,
        }),
      ),
  async start(
    { relay, dispatcher, waiters, runner, faultRules, metrics, emf, breakers },
    { config, logger, broker, db, registry },
  ) {
    emf?.start();
    relay.start();
    waiters.start();
    const batchSizes = batchSizeHistogram(registry);
    const unauthorized = unauthorizedMessagesCounter(registry);
    const refuse = (queue: string) => (message: ConsumeMessage, author: string | undefined) => {
      unauthorized(queue);
      logger.warn('unauthorized message refused', {
        queue,
        message_id: message.properties.messageId,
        author: author ?? null,
      });
    };
    // Replies come from the workers; the coordinator's own account replays dead-lettered ones.
    const ownAndWorkers = [...config.authors.workers, config.rabbitmq.user];
    const replies = replyConsumer(broker, runner, logger, {
      prefetch: config.prefetchCount,
      authors: ownAndWorkers,
      userId: config.rabbitmq.user,
      onUnauthorized: refuse(queues.coordinator),
      onOutcome: metrics.onOutcome,
      onBatch: (size) => batchSizes.observe({ queue: queues.coordinator }, size),
      onReturned: metrics.returned,
      breakers,
    });
    // Read before the first reply: a step another coordinator paused stays paused here too.
    await breakers.refresh();
    breakers.start();
    await replies.start();
    const deadLetters = new BatchConsumer(broker, {
      queue: queues.deadLetterEvents,
      prefetch: 64,
      maxBatch: 64,
      // A dead letter is published by a worker, or by the broker for a message that keeps its
      // sender's user-id (a command of this coordinator). Others are dropped unread: no DLX.
      handle: fromAuthors(
        ownAndWorkers,
        deadLetterHandler(runner, logger, db, metrics.onOutcome, breakers),
        refuse(queues.deadLetterEvents),
      ),
      onTransientFailure: (error, attempt, delayMs) =>
        logger.warn('dead-letter batch will be retried', {
          attempt,
          retry_in_ms: delayMs,
          ...describeError(error),
        }),
    });
    await deadLetters.start();
    const sweeper = new TimeoutSweeper(db, runner, brokerQueueProbe(broker), {
      intervalMs: Math.min(1_000, config.stepTimeoutSeconds * 250),
      stuckTimeoutSeconds: config.stuckTimeoutSeconds,
      onError: (error) => logger.warn('timeout sweep failed', describeError(error)),
      heldSteps: () => breakers.heldSteps(),
      // After an outage the replies that piled up are applied before any step times out.
      repliesHeldBack: () => replies.heldBack || deadLetters.heldBack,
      outageGraceMs: config.stepTimeoutSeconds * 1000,
    });
    sweeper.start();
    faultRules.start();
    const retention = retentionLoop(
      { db, registry, logger },
      coordinatorRetention(config.retention),
    );
    retention.start();
    // Stopped in reverse: consumers first, then the publishes they caused, then the waiters.
    // The EMF reporter last of all, so its final line counts everything before it.
    return [
      ...(emf ? [emf] : []),
      waiters,
      relay,
      dispatcher,
      breakers,
      replies,
      deadLetters,
      sweeper,
      faultRules,
      retention,
    ];
  },
});
