import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Database } from '../../lib/db';
import { listStuckSagas } from '../../coordinator/admin/stuck-sagas';
import { OperatorActions } from '../../coordinator/admin/operator-actions';
import { OrderIntake } from '../../coordinator/order-intake';
import { checkInFlight, inFlightSagas } from '../../coordinator/saga-check';
import { SagaEvent, SagaRunner } from '../../coordinator/saga-runner';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';

describe('saga versions (real PostgreSQL)', function () {
  this.timeout(20_000);
  let db: Database;
  let runner: SagaRunner;
  let env: Record<string, string>;
  const intakeOn = (sagaVersion: number) =>
    new OrderIntake(db, () => undefined, {
      maxRetryAttempts: 2,
      stepTimeoutMs: 30_000,
      sagaVersion,
    });

  before(async () => {
    const namespace = await createNamespace('versions');
    const { config } = namespace;
    env = namespace.env;
    db = await migratedDatabase(config, 'orders');
    runner = new SagaRunner(db, () => undefined, 30_000);
  });

  after(async () => {
    await db?.destroy();
  });

  const startOrder = async (version: number) => {
    const { order } = await intakeOn(version).submit({
      order_id: `versions-${randomUUID().slice(0, 8)}`,
      user_id: 'u',
      items: ['Book'],
      total: 20,
    });
    return order.saga_id;
  };

  /** What a release that no longer registers the saga's version finds in the database. */
  const pretendVersion = (sagaId: string, version: number) =>
    db.raw(
      `UPDATE sagas SET version = ?, snapshot = jsonb_set(snapshot, '{version}', to_jsonb(?::int))
       WHERE saga_id = ?`,
      [version, version, sagaId],
    );

  const authorized = (sagaId: string): SagaEvent => ({
    messageId: randomUUID(),
    sagaId,
    event: {
      type: 'payment.authorized',
      data: { command_id: `${sagaId}/payment.authorize`, authorization_id: 'auth-1' },
    },
  });

  it('given SAGA_VERSION 2, when an order is taken, then its saga starts on version 2 with a fraud check sent to the payment queue', async () => {
    const sagaId = await startOrder(2);

    const saga = await db('sagas').where({ saga_id: sagaId }).first('version', 'state', 'step');
    const outbox = await db('outbox')
      .where('body', 'like', `%${sagaId}%`)
      .select('type', 'routing_key');
    expect(saga).to.deep.equal({ version: 2, state: 'assessingRisk', step: 'risk' });
    expect(outbox).to.deep.equal([{ type: 'risk.assess', routing_key: 'payment.commands' }]);
  });

  it('given a batch with a saga of an unregistered version, when handled, then that saga is parked STUCK and the other advances', async () => {
    const foreign = await startOrder(1);
    const healthy = await startOrder(1);
    await pretendVersion(foreign, 99);

    const outcomes = await runner.handle([authorized(foreign), authorized(healthy)]);

    expect(outcomes).to.deep.equal(['applied', 'applied']);
    const rows = await db('sagas')
      .whereIn('saga_id', [foreign, healthy])
      .select('saga_id', 'status', 'state', 'step', 'reason');
    const byId = new Map(rows.map((row) => [row.saga_id, row]));
    expect(byId.get(healthy)).to.include({ status: 'PAYMENT_AUTHORIZED' });
    expect(byId.get(foreign)).to.include({ status: 'STUCK', state: 'stuck', step: 'payment' });
    expect(byId.get(foreign).reason).to.include({ code: 'UNKNOWN_VERSION' });
    const lastEntry = await db('timeline')
      .where({ saga_id: foreign })
      .orderBy('seq', 'desc')
      .first('type');
    expect(lastEntry).to.deep.equal({ type: 'SAGA_STUCK' });
    const { sagas } = await listStuckSagas(db, { limit: 100 });
    expect(sagas.find((s) => s.saga_id === foreign)?.diagnosis).to.equal('unknown version 99');
  });

  it('given a parked saga, when its version is deployed again and an operator replays it, then it resumes and re-sends its command', async () => {
    const sagaId = await startOrder(1);
    await pretendVersion(sagaId, 99);
    await runner.handle([authorized(sagaId)]);
    const actions = new OperatorActions(db, runner);
    const refused = await actions.act(sagaId, 'replay', {
      actor: 'ops',
      reason: 'try',
      dryRun: false,
    });
    expect(refused).to.include({ result: 'rejected' });

    await pretendVersion(sagaId, 1);
    // The release that registers it again is a new process: nothing remembered from before.
    const redeployed = new OperatorActions(db, new SagaRunner(db, () => undefined, 30_000));
    const replayed = await redeployed.act(sagaId, 'replay', {
      actor: 'ops',
      reason: 'version 1 is back',
      dryRun: false,
    });

    expect(replayed).to.include({ result: 'applied' });
    expect(replayed!.commands.map((c) => c.command)).to.deep.equal(['payment.authorize']);
    const saga = await db('sagas').where({ saga_id: sagaId }).first('status', 'state');
    expect(saga).to.deep.equal({ status: 'PENDING', state: 'authorizingPayment' });
  });

  it('saga:check, given sagas in flight on a version this build does not register, when checked, then they are counted as stranded', async () => {
    const sagaId = await startOrder(2);
    await pretendVersion(sagaId, 42);

    const groups = await inFlightSagas(db);
    const report = checkInFlight(groups, 2);

    expect(groups).to.deep.include({ version: 42, state: 'assessingRisk', count: 1 });
    expect(report.ok).to.equal(false);
    expect(report.stranded).to.be.at.least(1);
    const ended = groups.filter((g) => g.state === 'completed' || g.state === 'cancelled');
    expect(ended).to.deep.equal([]);
  });

  it('npm run saga:check, given sagas in flight on a version removed from this code, when run, then it exits 1 naming them', async () => {
    const sagaId = await startOrder(1);
    await pretendVersion(sagaId, 77);

    // The script from its source (tsx), with this test's databases as its configuration.
    const run = spawnSync(
      process.execPath,
      ['--require', 'tsx/cjs', path.resolve(__dirname, '../../scripts/saga-check.ts')],
      { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
    );

    expect(run.status, run.stdout + run.stderr).to.equal(1);
    expect(run.stdout).to.match(/^77\s+authorizingPayment\s+1\s+NO \(unknown version\)$/m);
    expect(run.stdout).to.match(/^FAIL: \d+ saga\(s\) in flight would be stranded/m);
  });
});
