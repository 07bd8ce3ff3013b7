import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Database, ownBackendPids } from '../../lib/db';
import { OrderIntake } from '../../coordinator/order-intake';
import { OrderWaiters } from '../../coordinator/order-waiters';
import { SagaEvent, SagaRunner } from '../../coordinator/saga-runner';
import { SETTLED_CHANNEL } from '../../coordinator/repositories/saga-writes';
import { ReplyType } from '../../sagas/contracts/messages';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { waitFor } from '../helpers/wait';

describe('order waiters across coordinators (real PostgreSQL)', function () {
  this.timeout(20_000);
  let db: Database;
  let elsewhere: OrderWaiters;
  const settledHere: string[][] = [];
  let runner: SagaRunner;
  let intake: OrderIntake;

  let config: Awaited<ReturnType<typeof createNamespace>>['config']['postgres'];

  before(async () => {
    const namespace = await createNamespace('waiters');
    config = namespace.config.postgres;
    db = await migratedDatabase(namespace.config, 'orders');
    const { host, port, user, password, databases } = config;
    elsewhere = new OrderWaiters({
      listen: () => new Client({ host, port, user, password, database: databases.orders }),
    });
    elsewhere.start();
    // This coordinator's own waiters are told in memory; the other one only hears NOTIFY.
    runner = new SagaRunner(db, (batch) => settledHere.push(batch.settledOrderIds), 30_000);
    intake = new OrderIntake(db, () => undefined, { maxRetryAttempts: 2, stepTimeoutMs: 30_000 });
    await waitFor(
      'the other coordinator to listen',
      async () => {
        const woken = elsewhere.wait('probe', 200).ended;
        await db.raw('SELECT pg_notify(?, ?)', [SETTLED_CHANNEL, 'probe']);
        return woken;
      },
      (end) => end === 'settled',
    );
  });

  after(async () => {
    await elsewhere?.stop();
    await db?.destroy();
  });

  const reply = (sagaId: string, type: ReplyType, data: object): SagaEvent => ({
    messageId: randomUUID(),
    sagaId,
    event: { type, data: { command_id: `${sagaId}/${type}`, ...data } } as SagaEvent['event'],
  });

  it('given a client waiting on another coordinator, when this one completes the order, then that client is woken by the notification', async () => {
    const orderId = `wait-${randomUUID().slice(0, 8)}`;
    const { order } = await intake.submit({
      order_id: orderId,
      user_id: 'u',
      items: ['Book'],
      total: 5,
    });
    const sagaId = order.saga_id;
    const woken = elsewhere.wait(orderId, 10_000).ended;

    await runner.handle([reply(sagaId, 'payment.authorized', { authorization_id: 'a' })]);
    await runner.handle([reply(sagaId, 'inventory.reserved', {})]);
    const stillWaiting = await Promise.race([woken, new Promise((r) => setTimeout(r, 50, 'no'))]);
    await runner.handle([
      reply(sagaId, 'shipping.ready', { shipment_id: 's', tracking_number: 'T1' }),
    ]);

    expect(stillWaiting, 'no wake before the order settles').to.equal('no');
    expect(await woken).to.equal('settled');
    expect(settledHere.flat()).to.include(orderId);
  });

  it('given more settled orders than one notification holds, when they settle in one batch, then every waiter is woken', async () => {
    const orderIds = Array.from({ length: 200 }, (_, i) => `w${i}-${'x'.repeat(56)}`);
    const woken = orderIds.map((id) => elsewhere.wait(id, 10_000).ended);
    const submitted = await Promise.all(
      orderIds.map((orderId) =>
        intake.submit({ order_id: orderId, user_id: 'u', items: ['Book'], total: 1 }),
      ),
    );

    await runner.handle(
      submitted.map(({ order }) =>
        reply(order.saga_id, 'payment.declined', { code: 'NO', message: 'declined' }),
      ),
    );

    expect(await Promise.all(woken)).to.deep.equal(orderIds.map(() => 'settled'));
  });

  describe('its own notifications', () => {
    const graceMs = 400;
    let here: OrderWaiters;

    before(async () => {
      const { host, port, user, password, databases } = config;
      here = new OrderWaiters({
        listen: () => new Client({ host, port, user, password, database: databases.orders }),
        isOwnBackend: (processId) => ownBackendPids(db).has(processId),
        ownNotificationGraceMs: graceMs,
      });
      here.start();
      await waitFor(
        'this coordinator to listen',
        async () => {
          const woken = here.wait('probe-here', 200).ended;
          const other = new Client({ host, port, user, password, database: databases.orders });
          await other.connect();
          await other.query('SELECT pg_notify($1, $2)', [SETTLED_CHANNEL, 'probe-here']);
          await other.end();
          return woken;
        },
        (end) => end === 'settled',
      );
    });

    after(async () => {
      await here?.stop();
    });

    it("given a client waiting here, when this coordinator's own notification arrives, then it waits for the commit's answer and is woken by it only after a grace", async () => {
      const orderId = `own-${randomUUID().slice(0, 8)}`;
      const wait = here.wait(orderId, 10_000);
      const started = Date.now();

      await db.raw('SELECT pg_notify(?, ?)', [SETTLED_CHANNEL, orderId]);
      const early = await Promise.race([
        wait.ended,
        new Promise((r) => setTimeout(r, graceMs / 2, 'still waiting')),
      ]);

      expect(early).to.equal('still waiting');
      expect(await wait.ended).to.equal('settled');
      expect(Date.now() - started).to.be.at.least(graceMs - 50);
    });
  });
});
