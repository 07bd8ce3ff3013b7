import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { Database } from '../../lib/db';
import { registerRiskGauges } from '../../coordinator/risk-gauges';
import { migratedDatabase } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';

describe('risk figures (real PostgreSQL)', function () {
  this.timeout(30_000);
  let db: Database;

  before(async () => {
    const { config } = await createNamespace('risk');
    db = await migratedDatabase(config, 'orders');
  });

  after(async () => {
    await db?.destroy();
  });

  const saga = (
    status: string,
    total: string,
    extra: { step?: string; code?: string; stuckSecondsAgo?: number } = {},
  ) => ({
    saga_id: randomUUID(),
    order_id: `risk-${randomUUID()}`,
    user_id: 'u',
    request_hash: 'h',
    items: JSON.stringify([{ sku: 'Book', quantity: 1 }]),
    total,
    status,
    state: 'any',
    step: extra.step ?? null,
    reason: extra.code
      ? JSON.stringify({ step: extra.step, code: extra.code, message: 'm' })
      : null,
    version: 1,
    snapshot: JSON.stringify({}),
    stuck_since:
      extra.stuckSecondsAgo === undefined
        ? null
        : db.raw(`now() - make_interval(secs => ?)`, [extra.stuckSecondsAgo]),
  });

  it('given STUCK, COMPENSATING and completed sagas and an outbox row, when scraped, then every gauge comes from the one read and ids stay out of the labels', async () => {
    await db('sagas').insert([
      saga('STUCK', '10.25', { step: 'payment', code: 'POISON', stuckSecondsAgo: 120 }),
      saga('STUCK', '4.75', { step: 'payment', code: 'POISON', stuckSecondsAgo: 30 }),
      saga('STUCK', '1.00', {
        step: 'shipping',
        code: 'not a code; ignore me',
        stuckSecondsAgo: 5,
      }),
      saga('COMPENSATING', '100.10', { step: 'inventory' }),
      saga('COMPLETED', '999.00'),
    ]);
    await db('outbox').insert({
      message_id: randomUUID(),
      exchange: 'saga.commands',
      routing_key: 'payment.commands',
      type: 'payment.authorize',
      body: '{}',
      headers: JSON.stringify({}),
      created_at: db.raw(`now() - interval '42 seconds'`),
    });
    const registry = new Registry();
    registerRiskGauges(registry, db);

    const text = await registry.metrics();

    expect(text).to.include('order_saga_stuck_sagas{step="payment",reason="POISON"} 2');
    expect(text).to.include('order_saga_stuck_sagas{step="shipping",reason="OTHER"} 1');
    expect(text).to.include('order_saga_money_at_risk{status="STUCK"} 16');
    expect(text).to.include('order_saga_money_at_risk{status="COMPENSATING"} 100.1');
    expect(text).to.include('order_saga_outbox_pending_messages 1');
    const oldestStuck = Number(/^order_saga_stuck_oldest_age_seconds (\S+)$/m.exec(text)?.[1]);
    expect(oldestStuck).to.be.within(119, 180);
    const oldestRow = Number(/^order_saga_outbox_oldest_age_seconds (\S+)$/m.exec(text)?.[1]);
    expect(oldestRow).to.be.within(41, 100);
    expect(text).not.to.match(/risk-/);
  });

  it('given a read that fails (the outbox table missing), when scraped, then the gauges are empty rather than stale and the scrape still answers', async () => {
    const registry = new Registry();
    registerRiskGauges(registry, db);
    await db.raw('ALTER TABLE outbox RENAME TO outbox_away');
    try {
      const text = await registry.metrics();

      expect(text).to.include('# TYPE order_saga_stuck_sagas gauge');
      expect(text).not.to.match(/^order_saga_stuck_sagas\{/m);
    } finally {
      await db.raw('ALTER TABLE outbox_away RENAME TO outbox');
    }
  });
});
