import { expect } from 'chai';
import { CommandType, commandIdOf } from '../../sagas/contracts/messages';
import { Step } from '../../sagas/contracts/envelope';
import { Decision, decide, startSaga } from '../../sagas/order/decide';
import { CommandQueueFacts, OrderSagaEvent, OrderSagaInput } from '../../sagas/order/machine';

const sagaId = '6f1d2c3b-1a2b-4c3d-9e8f-0a1b2c3d4e5f';
const input: OrderSagaInput = {
  sagaId,
  orderId: 'order-wait',
  items: [{ sku: 'BOOK', quantity: 1 }],
  total: 10,
  maxRetryAttempts: 2,
};

const absent: CommandQueueFacts = { consumers: 0, ready: 7 };
const idle: CommandQueueFacts = { consumers: 1, ready: 0 };

function timedOut(queue?: CommandQueueFacts): OrderSagaEvent {
  return { type: 'step.timed_out', data: queue ? { token: 't', queue } : { token: 't' } };
}

const reply = (type: string, command: CommandType, extra: Record<string, unknown> = {}) =>
  ({ type, data: { command_id: commandIdOf(sagaId, command), ...extra } }) as OrderSagaEvent;

const authorized = reply('payment.authorized', 'payment.authorize', { authorization_id: 'a' });
const reserved = reply('inventory.reserved', 'inventory.reserve');
const shippingRejected = reply('shipping.rejected', 'shipping.create', {
  code: 'NO_CARRIER',
  message: 'no carrier',
});
const inventoryRejected = reply('inventory.rejected', 'inventory.reserve', {
  code: 'OUT_OF_STOCK',
  message: 'none left',
});

function run(...events: OrderSagaEvent[]): Decision[] {
  const decisions = [startSaga(input)];
  for (const event of events) decisions.push(decide(decisions[decisions.length - 1]!.saga, event));
  return decisions;
}

const last = (decisions: Decision[]): Decision => decisions[decisions.length - 1]!;

/** Every waiting state, the events that lead there, and the command it waits on. */
const waitingStates: Array<{
  state: string;
  path: OrderSagaEvent[];
  command: CommandType;
  step: Step;
}> = [
  { state: 'authorizingPayment', path: [], command: 'payment.authorize', step: 'payment' },
  {
    state: 'reservingInventory',
    path: [authorized],
    command: 'inventory.reserve',
    step: 'inventory',
  },
  {
    state: 'creatingShipment',
    path: [authorized, reserved],
    command: 'shipping.create',
    step: 'shipping',
  },
  {
    state: 'compensating.releasingInventory',
    path: [authorized, reserved, shippingRejected],
    command: 'inventory.release',
    step: 'inventory',
  },
  {
    state: 'compensating.voidingPayment',
    path: [authorized, inventoryRejected],
    command: 'payment.void',
    step: 'payment',
  },
];

describe('order saga — a step whose command still waits in its queue', () => {
  for (const { state, path, command, step } of waitingStates) {
    it(`given state ${state}, when its step times out and no worker consumes the queue, then it notes WAITING_FOR_WORKER, re-sends nothing, spends no attempt and arms the next check`, () => {
      // Arrange
      const before = last(run(...path));

      // Act
      const decision = decide(before.saga, timedOut(absent));

      // Assert
      expect(decision.accepted).to.equal(true);
      expect(decision.state).to.equal(state);
      expect(decision.commands).to.deep.equal([]);
      expect(decision.timeline).to.deep.equal([
        { type: 'WAITING_FOR_WORKER', step, command, attempt: 1, consumers: 0, ready: 7 },
      ]);
      expect(decision.saga.context.timeouts).to.deep.equal(before.saga.context.timeouts);
      expect(decision.saga.context.attempts).to.deep.equal(before.saga.context.attempts);
      expect(decision.deadline).to.deep.equal({ kind: 'arm', extraMs: 0 });
    });
  }

  it('given a saga already waiting for its worker, when the next deadline finds the worker still absent, then nothing new is noted and the check is armed again', () => {
    // Arrange
    const waiting = last(run(authorized, timedOut(absent)));

    // Act
    const decision = decide(waiting.saga, timedOut(absent));

    // Assert
    expect(decision.accepted).to.equal(true);
    expect(decision.state).to.equal('reservingInventory');
    expect(decision.timeline).to.deep.equal([]);
    expect(decision.commands).to.deep.equal([]);
    expect(decision.deadline).to.deep.equal({ kind: 'arm', extraMs: 0 });
  });

  it('given a worker absent for many more deadlines than the re-send budget, when it comes back and replies, then the saga moves on instead of being STUCK', () => {
    // Arrange: ten waited timeouts against a budget of two re-sends
    const outage = Array.from({ length: 10 }, () => timedOut(absent));
    const waited = run(authorized, ...outage);
    expect(waited.map((d) => d.status)).to.not.include('STUCK');

    // Act
    const decision = decide(last(waited).saga, reserved);

    // Assert
    expect(decision.state).to.equal('creatingShipment');
    expect(decision.commands.map((c) => [c.type, c.attempt])).to.deep.equal([
      ['shipping.create', 1],
    ]);
    const notes = waited.flatMap((d) => d.timeline).filter((e) => e.type === 'WAITING_FOR_WORKER');
    expect(notes, 'one note for the whole outage').to.have.length(1);
  });

  it('given a worker consuming a queue with a backlog, when the step times out, then the command may still be queued: it waits instead of re-sending', () => {
    // Arrange
    const started = startSaga(input);

    // Act
    const decision = decide(started.saga, timedOut({ consumers: 2, ready: 40 }));

    // Assert
    expect(decision.commands).to.deep.equal([]);
    expect(decision.timeline).to.deep.equal([
      {
        type: 'WAITING_FOR_WORKER',
        step: 'payment',
        command: 'payment.authorize',
        attempt: 1,
        consumers: 2,
        ready: 40,
      },
    ]);
  });

  it('given a worker consuming an empty queue, when the step times out, then the worker took the command and went silent: the timeout counts and the command is re-sent', () => {
    // Arrange
    const started = startSaga(input);

    // Act
    const decision = decide(started.saga, timedOut(idle));

    // Assert
    expect(decision.timeline.map((e) => e.type)).to.deep.equal(['STEP_TIMED_OUT', 'COMMAND_SENT']);
    expect(decision.commands.map((c) => c.attempt)).to.deep.equal([2]);
    expect(decision.saga.context.timeouts).to.deep.equal({ 'payment.authorize': 1 });
  });

  it('given a timeout whose queue could not be checked, when decided, then it counts as before (re-sent while the budget lasts, then STUCK)', () => {
    // Act
    const decisions = run(timedOut(), timedOut(), timedOut());

    // Assert
    expect(decisions.map((d) => d.status)).to.deep.equal([
      'PENDING',
      'PENDING',
      'PENDING',
      'STUCK',
    ]);
    expect(last(decisions).reason).to.include({ code: 'STEP_TIMEOUT' });
  });

  it('given a worker that came back, took the command and went silent, when it is gone again, then a new wait is noted, under the attempt it is waiting on', () => {
    // Arrange: waited, then a counted timeout re-sent attempt 2
    const resent = last(run(timedOut(absent), timedOut(idle)));
    expect(resent.commands.map((c) => c.attempt)).to.deep.equal([2]);

    // Act
    const decision = decide(resent.saga, timedOut(absent));

    // Assert
    expect(decision.timeline).to.deep.equal([
      {
        type: 'WAITING_FOR_WORKER',
        step: 'payment',
        command: 'payment.authorize',
        attempt: 2,
        consumers: 0,
        ready: 7,
      },
    ]);
    expect(decision.saga.context.timeouts).to.deep.equal({ 'payment.authorize': 1 });
  });

  it('given a snapshot stored before waits were tracked, when its step times out with no worker, then the wait is noted', () => {
    // Arrange: the same snapshot without the field, as JSON from the database
    const stored = JSON.parse(JSON.stringify(last(run(authorized)).saga)) as Decision['saga'];
    delete stored.context.awaitingWorker;

    // Act
    const decision = decide(stored, timedOut(absent));

    // Assert
    expect(decision.timeline.map((e) => e.type)).to.deep.equal(['WAITING_FOR_WORKER']);
    expect(decision.saga.context.awaitingWorker).to.equal(true);
  });

  it('given a saga waiting for its worker, when the command is dead-lettered (e.g. its queue TTL ran out), then it is STUCK as usual', () => {
    // Arrange
    const waiting = last(run(authorized, timedOut(absent)));

    // Act
    const decision = decide(waiting.saga, {
      type: 'command.dead_lettered',
      data: {
        command_id: commandIdOf(sagaId, 'inventory.reserve'),
        command: 'inventory.reserve',
        attempts: 1,
        code: 'EXPIRED',
        message: 'message expired in inventory.commands',
      },
    });

    // Assert
    expect([decision.state, decision.status]).to.deep.equal(['stuck', 'STUCK']);
    expect(decision.deadline).to.deep.equal({ kind: 'clear' });
  });
});
