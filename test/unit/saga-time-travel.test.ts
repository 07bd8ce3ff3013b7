import { expect } from 'chai';
import { OrderSagaInput } from '../../sagas/order/machine';
import { SagaHarness } from '../kit/saga-harness';

const second = 1000;
const minute = 60 * second;
const timings = { stepTimeoutMs: 30 * second, stuckTimeoutMs: 60 * minute };

function order(maxRetryAttempts = 1): OrderSagaInput {
  return {
    sagaId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    orderId: 'time-travel-1',
    items: [{ sku: 'BOOK', quantity: 1 }],
    total: 20,
    maxRetryAttempts,
  };
}

const authorized = { authorization_id: 'auth-1' };
const timelineTypes = (saga: SagaHarness) => saga.timeline.map((entry) => entry.type);

describe('order saga on a virtual clock — step deadlines, timeouts and STUCK expiry', () => {
  it('a sent command arms the deadline one step timeout ahead', () => {
    const saga = new SagaHarness(order(), timings);
    const start = saga.clock.now().getTime();
    expect(Date.parse(saga.deadline.deadline_at ?? '')).to.equal(start + timings.stepTimeoutMs);
  });

  it('no timeout fires one millisecond before the deadline, one fires at it', () => {
    const saga = new SagaHarness(order(), timings);
    expect(saga.advance(timings.stepTimeoutMs - 1)).to.deep.equal([]);
    expect(saga.advance(1).map((event) => event.type)).to.deep.equal(['step.timed_out']);
    expect(saga.sent.map((command) => [command.type, command.attempt])).to.deep.equal([
      ['payment.authorize', 1],
      ['payment.authorize', 2],
    ]);
  });

  it('a reply that moves the saga on re-arms the deadline for the next step', () => {
    const saga = new SagaHarness(order(), timings);
    saga.advance(10 * second);
    saga.reply('payment.authorized', 'payment.authorize', authorized);
    const now = saga.clock.now().getTime();
    expect(Date.parse(saga.deadline.deadline_at ?? '')).to.equal(now + timings.stepTimeoutMs);
    expect(saga.state).to.equal('reservingInventory');
  });

  it('a retry notice pushes the deadline back by its delay, and the earlier timeout is stale', () => {
    const saga = new SagaHarness(order(), timings);
    const firstToken = saga.deadline.deadline_token;
    saga.advance(20 * second);
    saga.send({
      type: 'command.retry_scheduled',
      data: {
        command_id: `${order().sagaId}/payment.authorize`,
        command: 'payment.authorize',
        retry: 1,
        delay_ms: 40 * second,
        code: 'PROVIDER_DOWN',
        message: 'provider answered 503',
      },
    });
    const now = saga.clock.now().getTime();
    expect(Date.parse(saga.deadline.deadline_at ?? '')).to.equal(
      now + 40 * second + timings.stepTimeoutMs,
    );
    const stale = saga.send({ type: 'step.timed_out', data: { token: firstToken ?? '' } });
    expect(stale, 'a timeout with the token of an earlier deadline').to.equal(undefined);
    expect(saga.advance(69 * second)).to.deep.equal([]);
    expect(saga.advance(1 * second).map((event) => event.type)).to.deep.equal(['step.timed_out']);
  });

  it('times out twice, becomes STUCK, and an hour later the expiry compensates the step in flight', () => {
    const saga = new SagaHarness(order(1), timings);
    saga.reply('payment.authorized', 'payment.authorize', authorized);
    saga.advance(2 * timings.stepTimeoutMs);
    expect(saga.status).to.equal('STUCK');
    expect(saga.deadline.deadline_at, 'a STUCK saga has no step deadline').to.equal(null);
    expect(saga.deadline.stuck_since).to.equal(saga.clock.now().toISOString());

    expect(saga.advance(timings.stuckTimeoutMs - 1)).to.deep.equal([]);
    expect(saga.advance(1).map((event) => event.type)).to.deep.equal(['saga.stuck_expired']);
    expect(saga.status).to.equal('COMPENSATING');
    expect(saga.sent.map((command) => command.type).slice(-1)).to.deep.equal(['inventory.release']);

    saga.reply('inventory.released', 'inventory.release', { released: true });
    saga.reply('payment.voided', 'payment.void', { voided: 1 });
    expect(saga.status).to.equal('CANCELLED');
    expect(timelineTypes(saga)).to.deep.equal([
      'SAGA_STARTED',
      'COMMAND_SENT',
      'REPLY_RECEIVED',
      'STEP_SUCCEEDED',
      'COMMAND_SENT',
      'STEP_TIMED_OUT',
      'COMMAND_SENT',
      'STEP_TIMED_OUT',
      'SAGA_STUCK',
      'COMPENSATION_STARTED',
      'COMMAND_SENT',
      'REPLY_RECEIVED',
      'COMPENSATED',
      'COMMAND_SENT',
      'REPLY_RECEIVED',
      'COMPENSATED',
      'SAGA_CANCELLED',
    ]);
  });

  it('the expiry keeps the reason the saga was stuck for', () => {
    const saga = new SagaHarness(order(0), timings);
    saga.advance(timings.stepTimeoutMs + timings.stuckTimeoutMs);
    saga.reply('payment.voided', 'payment.void', { voided: 0 });
    expect(saga.status).to.equal('CANCELLED');
    expect(saga.stored.context.reason).to.include({ code: 'STEP_TIMEOUT', step: 'payment' });
  });

  it('a replay before the expiry clears it, re-arms the deadline and restores the timeout budget', () => {
    const saga = new SagaHarness(order(1), timings);
    saga.advance(2 * timings.stepTimeoutMs);
    expect(saga.status).to.equal('STUCK');
    saga.advance(30 * minute);
    saga.send({ type: 'operator.replay', data: { actor: 'ops', reason: 'provider back' } });
    expect(saga.status).to.equal('PENDING');
    expect(saga.deadline.stuck_since).to.equal(null);
    expect(Date.parse(saga.deadline.deadline_at ?? '')).to.equal(
      saga.clock.now().getTime() + timings.stepTimeoutMs,
    );
    // One more timeout is spent before it is STUCK again: the budget was restored.
    saga.advance(timings.stepTimeoutMs);
    expect(saga.status).to.equal('PENDING');
    saga.advance(timings.stepTimeoutMs);
    expect(saga.status).to.equal('STUCK');
  });

  it('a compensation that gets no reply is re-sent on its own deadline, then STUCK, then expires again', () => {
    const saga = new SagaHarness(order(1), timings);
    saga.reply('payment.authorized', 'payment.authorize', authorized);
    saga.reply('inventory.rejected', 'inventory.reserve', {
      code: 'OUT_OF_STOCK',
      message: 'BOOK is out of stock',
    });
    expect(saga.state).to.equal('compensating.voidingPayment');
    saga.advance(2 * timings.stepTimeoutMs);
    expect(saga.status).to.equal('STUCK');
    expect(saga.sent.filter((command) => command.type === 'payment.void')).to.have.length(2);
    saga.advance(timings.stuckTimeoutMs);
    expect(saga.sent.filter((command) => command.type === 'payment.void')).to.have.length(3);
    saga.reply('payment.voided', 'payment.void', { voided: 1 });
    expect(saga.status).to.equal('CANCELLED');
    // The expiry keeps the reason it was stuck for: the void that got no reply.
    expect(saga.stored.context.reason).to.include({ code: 'STEP_TIMEOUT', step: 'payment' });
  });

  it('an operator cancel of a step in flight arms a deadline for the compensation', () => {
    const saga = new SagaHarness(order(), timings);
    saga.reply('payment.authorized', 'payment.authorize', authorized);
    saga.advance(5 * second);
    saga.send({ type: 'operator.cancel', data: { actor: 'ops', reason: 'customer called' } });
    expect(saga.sent.map((command) => command.type).slice(-1)).to.deep.equal(['inventory.release']);
    expect(Date.parse(saga.deadline.deadline_at ?? '')).to.equal(
      saga.clock.now().getTime() + timings.stepTimeoutMs,
    );
  });

  it('a terminal state clears the deadline and nothing fires afterwards', () => {
    const saga = new SagaHarness(order(), timings);
    saga.reply('payment.declined', 'payment.authorize', { code: 'DECLINED', message: 'no' });
    expect(saga.status).to.equal('CANCELLED');
    expect(saga.deadline).to.deep.equal({
      deadline_at: null,
      deadline_token: null,
      stuck_since: null,
    });
    expect(saga.advance(24 * 60 * minute)).to.deep.equal([]);
  });

  it('the same event id is applied once, as the inbox does', () => {
    const saga = new SagaHarness(order(), timings);
    const replay = { type: 'operator.cancel' as const, data: { actor: 'ops', reason: 'twice' } };
    expect(saga.send(replay, 'event-1')).to.not.equal(undefined);
    expect(saga.send(replay, 'event-1')).to.equal(undefined);
    expect(timelineTypes(saga).filter((type) => type === 'ADMIN_CANCEL')).to.have.length(1);
  });
});
