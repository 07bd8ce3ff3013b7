import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { OperatorActions } from '../../coordinator/admin/operator-actions';
import { OrderIntake } from '../../coordinator/order-intake';
import { SagaRunner } from '../../coordinator/saga-runner';
import { PostgresServers } from '../chaos/servers/postgres-servers';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { paymentDeadLettered } from '../helpers/saga-events';

/**
 * A restart of the PostgreSQL server closes every pooled connection under the coordinator; the
 * operator's bulk replay, the way out for STUCK sagas after an outage, must work right after it.
 */
describe('bulk replay after a PostgreSQL server restart (a server of its own)', function () {
  this.timeout(60_000);
  let servers: PostgresServers;
  let db: Database;
  let runner: SagaRunner;
  let intake: OrderIntake;

  before(async () => {
    servers = await PostgresServers.start({ standby: false });
    const { config } = await createNamespace('replay_restart', servers.env, { database: true });
    db = await migratedDatabase(config, 'orders');
    runner = new SagaRunner(db, () => undefined, 30_000);
    intake = new OrderIntake(db, () => undefined, { maxRetryAttempts: 2, stepTimeoutMs: 30_000 });
  });

  after(async () => {
    await db?.destroy();
    await servers?.stop();
  });

  const stuckSaga = async () => {
    const { order } = await intake.submit({
      order_id: `replay-${randomUUID().slice(0, 8)}`,
      user_id: 'u',
      items: ['Book'],
      total: 20,
    });
    await runner.handle([paymentDeadLettered(order.saga_id)]);
    return order.saga_id;
  };

  it('given STUCK sagas and a pool of connections the restart closed, when the operator replays them in bulk, then every one is replayed and waits on its step again', async () => {
    // Arrange
    const sagaIds = [await stuckSaga(), await stuckSaga(), await stuckSaga()];
    await servers.restartPrimary(500);

    // Act
    const results = await new OperatorActions(db, runner).replayStuck(
      {},
      { actor: 'ops', reason: 'database back', dryRun: false },
    );

    // Assert
    expect(results.map((r) => [r.saga_id, r.result]).sort()).to.deep.equal(
      sagaIds.map((id) => [id, 'applied']).sort(),
    );
    const states = await db('sagas').whereIn('saga_id', sagaIds).pluck('state');
    expect(states).to.deep.equal([
      'authorizingPayment',
      'authorizingPayment',
      'authorizingPayment',
    ]);
  });
});
