import { expect } from 'chai';
import { Registry } from 'prom-client';
import { commandIdOf } from '../../sagas/contracts/messages';
import { Decision, decide, startSaga } from '../../sagas/order/decide';
import { sagaMetrics } from '../../coordinator/metrics';

const sagaId = '6f1c2b7e-93a4-4c55-9d1e-2f0a8b3c4d5e';
const started = startSaga({
  sagaId,
  orderId: 'metrics-1',
  items: [{ sku: 'BOOK', quantity: 1 }],
  total: 10,
  maxRetryAttempts: 3,
});

const retryNotice = (): Decision =>
  decide(started.saga, {
    type: 'command.retry_scheduled',
    data: {
      command_id: commandIdOf(sagaId, 'payment.authorize'),
      command: 'payment.authorize',
      retry: 1,
      delay_ms: 200,
      code: 'PROVIDER_UNAVAILABLE',
      message: 'payment provider answered 503',
    },
  });

const timeout = (): Decision =>
  decide(started.saga, { type: 'step.timed_out', data: { token: 'any' } });

async function retriesCounted(registry: Registry): Promise<string> {
  return registry.metrics();
}

describe('saga metrics', () => {
  it('saga metrics, given a worker retry notice, when it is applied, then the retries of that step count it as an error', async () => {
    const registry = new Registry();
    const { observer } = sagaMetrics(registry);

    observer.onApplied(retryNotice(), new Date());

    expect(await retriesCounted(registry)).to.include(
      'order_saga_retries_total{step="payment",cause="error"} 1',
    );
  });

  it('saga metrics, given a step timeout that re-sends the command, when it is applied, then the retries of that step count it as a timeout', async () => {
    const registry = new Registry();
    const { observer } = sagaMetrics(registry);
    const decision = timeout();
    expect(decision.commands, 'the timeout re-sends the command').to.have.length(1);

    observer.onApplied(decision, new Date());

    expect(await retriesCounted(registry)).to.include(
      'order_saga_retries_total{step="payment",cause="timeout"} 1',
    );
  });

  it('saga metrics, given a reply that moves the saga on, when it is applied, then no retry is counted', async () => {
    const registry = new Registry();
    const { observer } = sagaMetrics(registry);

    observer.onApplied(
      decide(started.saga, {
        type: 'payment.authorized',
        data: { command_id: commandIdOf(sagaId, 'payment.authorize'), authorization_id: 'a-1' },
      }),
      new Date(),
    );

    expect(await retriesCounted(registry)).not.to.match(/order_saga_retries_total\{.*\} [1-9]/);
  });

  it('saga metrics, given a step timeout, when it is applied, then the timeouts of that step count it', async () => {
    const registry = new Registry();
    const { observer } = sagaMetrics(registry);

    observer.onApplied(timeout(), new Date());

    expect(await registry.metrics()).to.include('order_saga_step_timeouts_total{step="payment"} 1');
  });

  it('saga metrics, given a dead-lettered command, when it is applied, then the dead letters of that step count it', async () => {
    const registry = new Registry();
    const { observer } = sagaMetrics(registry);
    const decision = decide(started.saga, {
      type: 'command.dead_lettered',
      data: {
        command_id: commandIdOf(sagaId, 'payment.authorize'),
        command: 'payment.authorize',
        attempts: 4,
        code: 'PROVIDER_UNAVAILABLE',
        message: 'payment provider answered 503',
      },
    });
    expect(decision.status, 'the saga parks as STUCK').to.equal('STUCK');

    observer.onApplied(decision, new Date());

    expect(await registry.metrics()).to.include('order_saga_dead_letters_total{step="payment"} 1');
  });

  it('saga metrics, given inbox outcomes, when counted, then each duplicate counts once as a duplicate', async () => {
    const registry = new Registry();
    const { onOutcome } = sagaMetrics(registry);

    for (const outcome of ['applied', 'duplicate', 'duplicate', 'orphan'] as const)
      onOutcome(outcome);

    const text = await registry.metrics();
    expect(text).to.include('order_saga_inbox_duplicates_total 2');
    expect(text).to.include('order_saga_replies_handled_total{outcome="applied"} 1');
    expect(text).to.include('order_saga_replies_handled_total{outcome="orphan"} 1');
  });

  it('saga metrics, given a step timeout whose command is still queued with no worker, when it is applied, then a wait is counted for the step and no retry', async () => {
    const registry = new Registry();
    const { observer } = sagaMetrics(registry);
    const decision = decide(started.saga, {
      type: 'step.timed_out',
      data: { token: 'any', queue: { consumers: 0, ready: 3 } },
    });

    observer.onApplied(decision, new Date());

    const text = await retriesCounted(registry);
    expect(text).to.include('order_saga_worker_waits_total{step="payment"} 1');
    expect(text).not.to.match(/saga_retries_total\{.*\} [1-9]/);
  });
});
