import { expect } from 'chai';
import { Registry } from 'prom-client';
import { Command, Reply } from '../../sagas/contracts/messages';
import { workerMetrics } from '../../workers/runtime/metrics';

const command = {
  type: 'payment.void',
  occurred_at: new Date().toISOString(),
} as unknown as Command;

const reply = (type: Reply['type'], data: Record<string, unknown>) =>
  ({ type, data: { command_id: 'c-1', ...data } }) as unknown as Reply;

describe('worker metrics', () => {
  it('worker metrics, given first answers and a redelivery, when counted, then effects count only first answers with an effect and the redelivery counts as a duplicate', async () => {
    const registry = new Registry();
    const metrics = workerMetrics(registry);

    metrics.onReplied([
      { command, reply: reply('payment.authorized', { authorization_id: 'a' }), duplicate: false },
      { command, reply: reply('payment.authorized', { authorization_id: 'a' }), duplicate: true },
      { command, reply: reply('payment.voided', { voided: 0 }), duplicate: false },
      { command, reply: reply('inventory.released', { released: true }), duplicate: false },
      { command, reply: reply('shipping.cancelled', { cancelled: 2 }), duplicate: false },
      { command, reply: reply('payment.declined', { code: 'X', message: 'no' }), duplicate: false },
    ]);

    const text = await registry.metrics();
    expect(text).to.include('order_saga_effects_total{effect="authorization"} 1');
    expect(text).to.include('order_saga_effects_total{effect="release"} 1');
    expect(text).to.include('order_saga_effects_total{effect="cancellation"} 2');
    expect(text, 'a void of nothing is no effect').not.to.include('effect="void"');
    expect(text).to.include('order_saga_inbox_duplicates_total 1');
    expect(text).to.include('order_saga_worker_commands_total{type="payment.authorized"} 2');
  });
});
