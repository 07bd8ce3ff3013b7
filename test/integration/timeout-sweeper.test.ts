import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { Config } from '../../lib/config';
import { BrokerConnection, connectBroker, connectionName } from '../../lib/messaging/connection';
import { brokerQueueProbe } from '../../lib/messaging/queue-probe';
import { queues } from '../../lib/messaging/topology';
import { OrderIntake } from '../../coordinator/order-intake';
import { SagaRunner } from '../../coordinator/saga-runner';
import { TimeoutSweeper } from '../../coordinator/timeout-sweeper';
import { collect, connectedBroker, migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { paymentDeadLettered } from '../helpers/saga-events';
import { waitFor } from '../helpers/wait';
import { freePort } from '../helpers/ports';

const STUCK_TIMEOUT_SECONDS = 60;

describe('timeout sweeper (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(20_000);
  let db: Database;
  let broker: BrokerConnection;
  let runner: SagaRunner;
  let intake: OrderIntake;
  let config: Config;
  const sweeper = () =>
    new TimeoutSweeper(db, runner, brokerQueueProbe(broker), {
      intervalMs: 60_000,
      stuckTimeoutSeconds: STUCK_TIMEOUT_SECONDS,
    });
  /** A payment worker's consumer on its command queue (nothing is published in these tests). */
  let paymentWorker: Awaited<ReturnType<typeof collect>> | undefined;

  before(async () => {
    ({ config } = await createNamespace('sweeper'));
    db = await migratedDatabase(config, 'orders');
    broker = await connectedBroker(config);
    runner = new SagaRunner(db, () => undefined, 30_000);
    intake = new OrderIntake(db, () => undefined, { maxRetryAttempts: 2, stepTimeoutMs: 30_000 });
  });

  beforeEach(async () => {
    paymentWorker = await collect(broker, queues.payment);
  });

  afterEach(async () => {
    await paymentWorker?.stop();
    paymentWorker = undefined;
  });

  after(async () => {
    await broker?.close();
    await db?.destroy();
  });

  const startOrder = async () => {
    const orderId = `sweep-${randomUUID().slice(0, 8)}`;
    const { order } = await intake.submit({
      order_id: orderId,
      user_id: 'u',
      items: ['Book'],
      total: 20,
    });
    return order.saga_id;
  };
  const sagaRow = (sagaId: string) =>
    db('sagas')
      .where({ saga_id: sagaId })
      .first('status', 'state', 'deadline_at', 'deadline_token', 'stuck_since');
  const timelineOf = async (sagaId: string) =>
    (await db('timeline').where({ saga_id: sagaId }).orderBy('seq').select('type', 'details')).map(
      (row: { type: string; details: Record<string, unknown> }) => ({
        type: row.type,
        ...row.details,
      }),
    );
  const commandsFor = async (sagaId: string) =>
    (await db('outbox').where('body', 'like', `%${sagaId}%`).orderBy('id').select('body')).map(
      (row: { body: string }) => JSON.parse(row.body) as { type: string; attempt: number },
    );
  const expireDeadline = (sagaId: string) =>
    db('sagas')
      .where({ saga_id: sagaId })
      .update({ deadline_at: db.raw("now() - interval '1 second'") });
  const makeStuck = async (sagaId: string, stuckForSeconds: number) => {
    await runner.handle([paymentDeadLettered(sagaId)]);
    await db('sagas')
      .where({ saga_id: sagaId })
      .update({ stuck_since: db.raw('now() - make_interval(secs => ?)', [stuckForSeconds]) });
  };

  it('given a saga whose step deadline has passed and a worker on an empty queue, when the sweeper runs once, then the step times out, the same command is re-sent under a new deadline and the next run finds nothing due', async () => {
    // Arrange
    const sagaId = await startOrder();
    await expireDeadline(sagaId);
    const before = await sagaRow(sagaId);

    // Act
    const swept = await sweeper().runOnce();

    // Assert
    expect(swept).to.equal(1);
    const after = await sagaRow(sagaId);
    expect(after.state).to.equal('authorizingPayment');
    expect(after.deadline_token).to.not.equal(before.deadline_token);
    expect(after.deadline_at.getTime()).to.be.greaterThan(Date.now() + 20_000);
    const types = (await timelineOf(sagaId)).map((e) => e.type);
    expect(types.slice(-2)).to.deep.equal(['STEP_TIMED_OUT', 'COMMAND_SENT']);
    expect((await commandsFor(sagaId)).map((c) => [c.type, c.attempt])).to.deep.equal([
      ['payment.authorize', 1],
      ['payment.authorize', 2],
    ]);
    expect(await sweeper().runOnce()).to.equal(0);
  });

  it('given a passed deadline, when two sweepers run at once, then the timeout is applied once', async () => {
    // Arrange
    const sagaId = await startOrder();
    await expireDeadline(sagaId);

    // Act
    await Promise.all([sweeper().runOnce(), sweeper().runOnce()]);

    // Assert
    const timeouts = (await timelineOf(sagaId)).filter((e) => e.type === 'STEP_TIMED_OUT');
    expect(timeouts).to.have.length(1);
    expect(await commandsFor(sagaId)).to.have.length(2);
  });

  it('given a saga STUCK longer than STUCK_TIMEOUT_SECONDS, when the sweeper runs once, then it is compensated, the step in flight included', async () => {
    // Arrange
    const sagaId = await startOrder();
    await makeStuck(sagaId, STUCK_TIMEOUT_SECONDS + 5);

    // Act
    const swept = await sweeper().runOnce();

    // Assert
    expect(swept).to.equal(1);
    const after = await sagaRow(sagaId);
    expect([after.status, after.state, after.stuck_since]).to.deep.equal([
      'COMPENSATING',
      'compensating.voidingPayment',
      null,
    ]);
    expect((await timelineOf(sagaId)).map((e) => e.type).slice(-2)).to.deep.equal([
      'COMPENSATION_STARTED',
      'COMMAND_SENT',
    ]);
    expect((await commandsFor(sagaId)).map((c) => c.type)).to.deep.equal([
      'payment.authorize',
      'payment.void',
    ]);
  });

  it('given a saga STUCK for less than STUCK_TIMEOUT_SECONDS, when the sweeper runs once, then it stays STUCK', async () => {
    // Arrange
    const sagaId = await startOrder();
    await makeStuck(sagaId, 5);
    const before = await timelineOf(sagaId);

    // Act
    const swept = await sweeper().runOnce();

    // Assert
    expect(swept).to.equal(0);
    expect((await sagaRow(sagaId)).status).to.equal('STUCK');
    expect(await timelineOf(sagaId)).to.deep.equal(before);
  });

  it('given a passed deadline and no worker consuming the command queue, when the sweeper runs once, then it notes WAITING_FOR_WORKER, re-sends nothing and arms the next check; once a worker consumes again, the next deadline re-sends', async () => {
    // Arrange
    await paymentWorker?.stop();
    const sagaId = await startOrder();
    await expireDeadline(sagaId);
    const before = await sagaRow(sagaId);

    // Act
    const swept = await sweeper().runOnce();

    // Assert
    expect(swept).to.equal(1);
    const after = await sagaRow(sagaId);
    expect(after.state).to.equal('authorizingPayment');
    expect(after.deadline_token).to.not.equal(before.deadline_token);
    expect(after.deadline_at.getTime()).to.be.greaterThan(Date.now() + 20_000);
    const waits = (await timelineOf(sagaId)).filter((e) => e.type === 'WAITING_FOR_WORKER');
    expect(waits).to.deep.equal([
      {
        type: 'WAITING_FOR_WORKER',
        step: 'payment',
        command: 'payment.authorize',
        attempt: 1,
        consumers: 0,
        ready: 0,
      },
    ]);
    expect((await commandsFor(sagaId)).map((c) => c.attempt)).to.deep.equal([1]);
    expect(await sweeper().runOnce()).to.equal(0);

    // Act: the worker is back, took the command and went silent
    paymentWorker = await collect(broker, queues.payment);
    await expireDeadline(sagaId);
    await sweeper().runOnce();

    // Assert
    const types = (await timelineOf(sagaId)).map((e) => e.type);
    expect(types.slice(-2)).to.deep.equal(['STEP_TIMED_OUT', 'COMMAND_SENT']);
    expect((await commandsFor(sagaId)).map((c) => c.attempt)).to.deep.equal([1, 2]);
  });

  it('given a version 2 saga waiting on its fraud check and no worker consuming the payment queue, when its deadline passes, then it waits for the worker rather than spending an attempt', async () => {
    await paymentWorker?.stop();
    const riskIntake = new OrderIntake(db, () => undefined, {
      maxRetryAttempts: 2,
      stepTimeoutMs: 30_000,
      sagaVersion: 2,
    });
    const { order } = await riskIntake.submit({
      order_id: `sweep-risk-${randomUUID().slice(0, 8)}`,
      user_id: 'u',
      items: ['Book'],
      total: 20,
    });
    await expireDeadline(order.saga_id);

    expect(await sweeper().runOnce()).to.equal(1);

    const timeline = await timelineOf(order.saga_id);
    expect(timeline.filter((e) => e.type === 'STEP_TIMED_OUT')).to.deep.equal([]);
    expect(timeline.filter((e) => e.type === 'WAITING_FOR_WORKER')).to.deep.equal([
      {
        type: 'WAITING_FOR_WORKER',
        step: 'risk',
        command: 'risk.assess',
        attempt: 1,
        consumers: 0,
        ready: 0,
      },
    ]);
  });

  it('given a passed deadline and no connection to the broker, when the sweeper runs, then the step does not time out and spends no attempt; once the broker answers, the next run judges it', async () => {
    // Arrange
    const sagaId = await startOrder();
    await expireDeadline(sagaId);
    const before = await sagaRow(sagaId);
    const nowhere = connectBroker(
      { ...config.rabbitmq, nodes: [{ host: '127.0.0.1', port: await freePort() }] },
      {
        onConnect: () => undefined,
        onDisconnect: () => undefined,
        onConnectFailed: () => undefined,
      },
      connectionName('test'),
    );

    // Act
    const swept = await new TimeoutSweeper(db, runner, brokerQueueProbe(nowhere), {
      intervalMs: 60_000,
      stuckTimeoutSeconds: STUCK_TIMEOUT_SECONDS,
    })
      .runOnce()
      .finally(() => nowhere.close());

    // Assert
    expect(swept).to.equal(0);
    expect((await sagaRow(sagaId)).deadline_token).to.equal(before.deadline_token);
    expect((await timelineOf(sagaId)).map((e) => e.type)).to.not.include('STEP_TIMED_OUT');
    expect((await commandsFor(sagaId)).map((c) => c.attempt)).to.deep.equal([1]);

    // Act: the broker answers again, and the worker took the command and went silent
    await sweeper().runOnce();

    // Assert
    const types = (await timelineOf(sagaId)).map((e) => e.type);
    expect(types.slice(-2)).to.deep.equal(['STEP_TIMED_OUT', 'COMMAND_SENT']);
    expect((await commandsFor(sagaId)).map((c) => c.attempt)).to.deep.equal([1, 2]);
  });

  it('given a passed deadline and a broker reachable for less than the reconnect grace, when the sweeper runs, then the step does not time out yet; past the grace, it does', async () => {
    // Arrange
    const sagaId = await startOrder();
    await expireDeadline(sagaId);
    const reconnecting = connectBroker(config.rabbitmq, quietEvents, connectionName('test'));
    const probe = brokerQueueProbe(reconnecting);
    await waitFor('the connection', async () => reconnecting.isConnected(), Boolean);
    const withGrace = new TimeoutSweeper(db, runner, probe, {
      intervalMs: 60_000,
      stuckTimeoutSeconds: STUCK_TIMEOUT_SECONDS,
      outageGraceMs: 1_000,
    });

    try {
      // Act
      const early = await withGrace.runOnce();

      // Assert
      expect(early).to.equal(0);
      expect((await commandsFor(sagaId)).map((c) => c.attempt)).to.deep.equal([1]);

      // Act
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const late = await withGrace.runOnce();

      // Assert
      expect(late).to.equal(1);
      expect((await commandsFor(sagaId)).map((c) => c.attempt)).to.deep.equal([1, 2]);
    } finally {
      await reconnecting.close();
    }
  });
});

const quietEvents = {
  onConnect: () => undefined,
  onDisconnect: () => undefined,
  onConnectFailed: () => undefined,
};
