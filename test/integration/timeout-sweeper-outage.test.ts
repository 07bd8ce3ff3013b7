import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Database, createDatabase } from '../../lib/db';
import { isTransientError } from '../../lib/errors';
import { BrokerConnection } from '../../lib/messaging/connection';
import { brokerQueueProbe } from '../../lib/messaging/queue-probe';
import { OrderIntake } from '../../coordinator/order-intake';
import { SagaRunner } from '../../coordinator/saga-runner';
import { TimeoutSweeper, TimeoutSweeperOptions } from '../../coordinator/timeout-sweeper';
import { TcpForwarder } from '../chaos/servers/tcp-forwarder';
import { connectedBroker, migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { freePort } from '../helpers/ports';

const GRACE_MS = 1_000;

/**
 * The coordinator's side of a database outage: a step whose deadline fell while replies could
 * not be applied must not time out the moment the database answers again.
 */
describe('timeout sweeper across a database outage (real PostgreSQL and RabbitMQ)', function () {
  this.timeout(20_000);
  let db: Database;
  /** The same database, reached through a forwarder that an outage re-points at nothing. */
  let outageDb: Database;
  let forwarder: TcpForwarder;
  let postgresPort: number;
  let broker: BrokerConnection;
  let intake: OrderIntake;

  before(async () => {
    const { config } = await createNamespace('sweeper_outage');
    db = await migratedDatabase(config, 'orders');
    postgresPort = config.postgres.port;
    forwarder = await TcpForwarder.start(postgresPort, config.postgres.host);
    outageDb = createDatabase(
      { ...config.postgres, port: forwarder.port },
      config.postgres.databases.orders,
      // The outage is on purpose: knex's complaints about it are noise here.
      { warn: () => undefined, error: () => undefined },
    );
    broker = await connectedBroker(config);
    intake = new OrderIntake(db, () => undefined, { maxRetryAttempts: 2, stepTimeoutMs: 30_000 });
  });

  after(async () => {
    await broker?.close();
    await outageDb?.destroy();
    await forwarder?.stop();
    await db?.destroy();
  });

  const sweeperWith = (options: Partial<TimeoutSweeperOptions> = {}) =>
    new TimeoutSweeper(
      outageDb,
      new SagaRunner(outageDb, () => undefined, 30_000),
      brokerQueueProbe(broker),
      {
        intervalMs: 60_000,
        stuckTimeoutSeconds: 3_600,
        outageGraceMs: GRACE_MS,
        ...options,
      },
    );

  const sagaWithPastDeadline = async () => {
    const { order } = await intake.submit({
      order_id: `outage-${randomUUID().slice(0, 8)}`,
      user_id: 'u',
      items: ['Book'],
      total: 20,
    });
    await db('sagas')
      .where({ saga_id: order.saga_id })
      .update({ deadline_at: db.raw("now() - interval '1 second'") });
    return order.saga_id;
  };
  /** What the saga did at its deadline: timed out, or (no worker on the queue here) waited. */
  const deadlineEventsOf = async (sagaId: string) =>
    Number(
      (
        await db('timeline')
          .where({ saga_id: sagaId })
          .whereIn('type', ['STEP_TIMED_OUT', 'WAITING_FOR_WORKER'])
          .count<{ count: string }>('* as count')
          .first()
      )?.count ?? 0,
    );
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('given a step deadline that passed while the database was unreachable, when it answers again, then the step times out only after the grace period', async () => {
    // Arrange
    const sagaId = await sagaWithPastDeadline();
    const sweeper = sweeperWith();
    forwarder.retarget(await freePort());
    const duringOutage = await sweeper.runOnce().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isTransientError(duringOutage), String(duringOutage)).to.equal(true);
    forwarder.retarget(postgresPort);

    // Act
    const atRecovery = await sweeper.runOnce();
    await pause(GRACE_MS + 100);
    const afterGrace = await sweeper.runOnce();

    // Assert
    expect(atRecovery).to.equal(0);
    expect(afterGrace).to.be.greaterThanOrEqual(1);
    expect(await deadlineEventsOf(sagaId)).to.equal(1);
  });

  it('given the reply consumer holding replies back after a database failure, when the sweeper runs, then no step times out until the grace period after it let go', async () => {
    // Arrange
    const sagaId = await sagaWithPastDeadline();
    let held = true;
    const sweeper = sweeperWith({ repliesHeldBack: () => held });

    // Act
    const whileHeld = await sweeper.runOnce();
    held = false;
    const rightAfter = await sweeper.runOnce();
    await pause(GRACE_MS + 100);
    const afterGrace = await sweeper.runOnce();

    // Assert
    expect([whileHeld, rightAfter]).to.deep.equal([0, 0]);
    expect(afterGrace).to.be.greaterThanOrEqual(1);
    expect(await deadlineEventsOf(sagaId)).to.equal(1);
  });
});
