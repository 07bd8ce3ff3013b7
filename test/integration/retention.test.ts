import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { coordinatorRetention } from '../../coordinator/retention-tasks';
import { Database } from '../../lib/db';
import { Retention } from '../../lib/retention';
import { workerRetention } from '../../workers/runtime/retention-tasks';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';

const DAY = 86_400_000;
/** The moment every row below is written at; the virtual clock moves from there. */
const T0 = new Date('2026-06-01T00:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);

describe('retention (real PostgreSQL, virtual clock)', function () {
  this.timeout(20_000);
  let orders: Database;
  let payments: Database;
  let clock: Date;
  const deleted: Array<[string, number]> = [];
  const retention = (db: Database, tasks: ReturnType<typeof workerRetention>, batchSize = 500) =>
    new Retention(db, tasks, {
      now: () => clock,
      batchSize,
      maxBatchesPerRun: 2,
      onDeleted: (table, count) => deleted.push([table, count]),
    });

  before(async () => {
    const { config } = await createNamespace('retention');
    orders = await migratedDatabase(config, 'orders');
    payments = await migratedDatabase(config, 'payments');
  });

  after(async () => {
    await orders?.destroy();
    await payments?.destroy();
  });

  beforeEach(() => {
    deleted.length = 0;
  });

  const inboxRows = (count: number, receivedAt: Date) =>
    orders.batchInsert(
      'inbox',
      Array.from({ length: count }, () => ({
        message_id: randomUUID(),
        type: 'payment.authorized',
        outcome: 'applied',
        received_at: receivedAt,
      })),
      1000,
    );
  const count = async (db: Database, table: string) =>
    Number((await db(table).count({ n: '*' }))[0]!.n);

  it('given inbox records 0 and 5 days old, when the clock reads day 6 and then day 8 with a 7-day window, then only the records past the window go, in bounded batches', async () => {
    await orders('inbox').del();
    await inboxRows(1200, at(0));
    await inboxRows(10, at(5));
    const loop = retention(orders, coordinatorRetention({ days: 7, timelineDays: null }));

    clock = at(6);
    const early = await loop.runOnce();
    clock = at(8);
    const first = await loop.runOnce();
    const afterFirst = await count(orders, 'inbox');
    const second = await loop.runOnce();

    expect(early.inbox, 'nothing is past the window on day 6').to.equal(0);
    expect(first.inbox, 'two batches of 500 per run').to.equal(1000);
    expect(afterFirst).to.equal(210);
    expect(second.inbox).to.equal(200);
    expect(await count(orders, 'inbox')).to.equal(10);
    expect(deleted).to.deep.equal([
      ['inbox', 1000],
      ['inbox', 200],
    ]);
  });

  it('given an old inbox record locked by a live transaction, when retention runs, then it skips that record without waiting and takes it on a later run', async () => {
    await orders('inbox').del();
    await inboxRows(3, at(0));
    const [locked] = await orders('inbox').pluck('message_id');
    const loop = retention(orders, coordinatorRetention({ days: 7, timelineDays: null }));
    clock = at(30);

    const trx = await orders.transaction();
    let whileLocked: Record<string, number>;
    try {
      await trx('inbox').where({ message_id: locked }).forUpdate().first();
      whileLocked = await loop.runOnce();
    } finally {
      await trx.commit();
    }
    const remaining = await orders('inbox').pluck('message_id');
    const later = await loop.runOnce();

    expect(whileLocked.inbox).to.equal(2);
    expect(remaining).to.deep.equal([locked]);
    expect(later.inbox).to.equal(1);
  });

  it('given ended and running sagas with old timelines, when the timeline window passes, then only the ended sagas lose their timelines and every saga stays', async () => {
    const completed = await saga('COMPLETED', at(0));
    const cancelled = await saga('CANCELLED', at(0));
    const running = await saga('PENDING', at(0));
    const recent = await saga('COMPLETED', at(2));
    const keep = retention(orders, coordinatorRetention({ days: 7, timelineDays: null }));
    const expire = retention(orders, coordinatorRetention({ days: 7, timelineDays: 3 }));
    clock = at(4);

    const kept = await keep.runOnce();
    const beforeExpiry = await timelineSizes([completed, cancelled, running, recent]);
    const expired = await expire.runOnce();

    expect(kept).to.not.have.property('timeline');
    expect(beforeExpiry).to.deep.equal([3, 3, 3, 3]);
    expect(expired.timeline).to.equal(6);
    expect(await timelineSizes([completed, cancelled, running, recent])).to.deep.equal([
      0, 0, 3, 3,
    ]);
    expect(await count(orders, 'sagas')).to.equal(4);
  });

  it('given expired fault rules, when their window passes, then they go and rules without expiry stay', async () => {
    await orders('fault_rules').insert([
      { id: randomUUID(), target: 'payment', mode: 'error', probability: 1, expires_at: at(0) },
      { id: randomUUID(), target: 'payment', mode: 'error', probability: 1, expires_at: at(3) },
      { id: randomUUID(), target: 'payment', mode: 'error', probability: 1, expires_at: null },
    ]);
    clock = at(8);

    const result = await retention(
      orders,
      coordinatorRetention({ days: 7, timelineDays: null }),
    ).runOnce();

    expect(result.fault_rules).to.equal(1);
    expect(await count(orders, 'fault_rules')).to.equal(2);
  });

  it("given a worker's processed commands and fault counters, when the window passes, then the old ones go and the recent ones still answer redeliveries", async () => {
    const record = (id: string, when: Date) => ({
      command_id: id,
      type: 'payment.authorize',
      order_id: `o-${id}`,
      reply: JSON.stringify({ type: 'payment.authorized' }),
      processed_at: when,
    });
    await payments('processed_commands').insert([record('old', at(0)), record('new', at(6))]);
    await payments('fault_deliveries').insert([
      { command_id: 'old', deliveries: 2, updated_at: at(0) },
      { command_id: 'new', deliveries: 1, updated_at: at(6) },
    ]);
    clock = at(8);

    const result = await retention(
      payments,
      workerRetention({ days: 7, timelineDays: null }),
      1,
    ).runOnce();

    expect(result).to.deep.equal({ processed_commands: 1, fault_deliveries: 1 });
    expect(await payments('processed_commands').pluck('command_id')).to.deep.equal(['new']);
    expect(await payments('fault_deliveries').pluck('command_id')).to.deep.equal(['new']);
  });

  async function saga(status: string, endedAt: Date): Promise<string> {
    const sagaId = randomUUID();
    await orders('sagas').insert({
      saga_id: sagaId,
      order_id: `ret-${sagaId.slice(0, 8)}`,
      user_id: 'u',
      request_hash: 'h',
      items: JSON.stringify(['Book']),
      total: 20,
      status,
      state: status.toLowerCase(),
      version: 1,
      snapshot: JSON.stringify({}),
      timeline_seq: 3,
      created_at: endedAt,
      updated_at: endedAt,
    });
    await orders('timeline').insert(
      [1, 2, 3].map((seq) => ({
        saga_id: sagaId,
        seq,
        at: endedAt,
        type: 'transition',
        details: JSON.stringify({}),
      })),
    );
    return sagaId;
  }

  async function timelineSizes(sagaIds: string[]): Promise<number[]> {
    const sizes = [];
    for (const sagaId of sagaIds) {
      sizes.push(
        Number((await orders('timeline').where({ saga_id: sagaId }).count({ n: '*' }))[0]!.n),
      );
    }
    return sizes;
  }
});
