import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { IntakeResult, OrderIntake } from '../../coordinator/order-intake';
import { Database } from '../../lib/db';
import { OrderRequest } from '../../sagas/contracts/order-request';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';

describe('order intake (real PostgreSQL)', function () {
  this.timeout(20_000);
  let db: Database;
  let intake: OrderIntake;

  before(async () => {
    const { config } = await createNamespace('intake');
    db = await migratedDatabase(config, 'orders');
    intake = new OrderIntake(db, () => undefined, { maxRetryAttempts: 2, stepTimeoutMs: 30_000 });
  });

  after(async () => {
    await db?.destroy();
  });

  const order = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
    order_id: `intake-${randomUUID().slice(0, 8)}`,
    user_id: 'u',
    items: ['Book'],
    total: 20,
    ...overrides,
  });
  const stored = async (orderIds: string[]) =>
    (await db('sagas').whereIn('order_id', orderIds).pluck('order_id')).sort();
  const outboxOf = async (orderIds: string[]) =>
    Number(
      (
        await db('outbox')
          .whereRaw(`body::jsonb ->> 'order_id' = ANY(?)`, [orderIds])
          .count({ n: '*' })
      )[0]!.n,
    );

  /** Submitted in one tick, so the requests share one group-commit statement. */
  const together = (requests: OrderRequest[]) =>
    Promise.allSettled(requests.map((request) => intake.submit(request)));

  // Each bad row bypasses the HTTP validation on purpose: the database must refuse it.
  const refusedRows: Array<[string, Partial<OrderRequest>]> = [
    ['a total that is not finite (written as null)', { total: Infinity }],
    ['a total that overflows numeric(14,2)', { total: 1e13 }],
    ['a user_id holding a NUL, which jsonb refuses', { user_id: 'a\u0000b' }],
  ];

  for (const [what, bad] of refusedRows) {
    it(`order intake — given ${what} in a batch with valid orders, when they are submitted together, then only the bad one fails and every valid one is stored with its command`, async () => {
      const valid = Array.from({ length: 9 }, () => order());
      const invalid = order(bad);

      const settled = await together([...valid.slice(0, 4), invalid, ...valid.slice(4)]);

      const outcomes = settled.map((s) =>
        s.status === 'fulfilled' ? (s.value as IntakeResult).kind : 'rejected',
      );
      expect(outcomes).to.deep.equal([
        ...valid.slice(0, 4).map(() => 'created'),
        'rejected',
        ...valid.slice(4).map(() => 'created'),
      ]);
      const validIds = valid.map((o) => o.order_id);
      expect(await stored([...validIds, invalid.order_id])).to.deep.equal([...validIds].sort());
      expect(await outboxOf(validIds)).to.equal(valid.length);
    });
  }

  it('order intake — given a bad row and two requests for one valid order in a batch, when they are submitted together, then the order is created once and answered created then existing', async () => {
    const valid = order();
    const invalid = order({ total: Infinity });

    const settled = await together([valid, invalid, valid]);

    expect(
      settled.map((s) => (s.status === 'fulfilled' ? s.value.kind : 'rejected')),
    ).to.deep.equal(['created', 'rejected', 'existing']);
    expect(await stored([valid.order_id])).to.deep.equal([valid.order_id]);
  });

  it('order intake — given a total with cents, when it is stored, then the column holds it exactly and it reads back as the same number', async () => {
    const request = order({ total: 19.99 });

    const result = await intake.submit(request);

    const row = await db('sagas')
      .where({ order_id: request.order_id })
      .first(db.raw('total::text AS total'), db.raw('pg_typeof(total)::text AS type'));
    expect(row).to.deep.equal({ total: '19.99', type: 'numeric' });
    expect(result.order.total).to.equal(19.99);
  });
});
