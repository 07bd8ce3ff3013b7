import { expect } from 'chai';
import { CommandType, commandIdOf } from '../../sagas/contracts/messages';
import { Decision, StoredSaga, decide, startSaga } from '../../sagas/order/decide';
import { OrderSagaEvent, OrderSagaInput } from '../../sagas/order/machine';

const sagaId = '7c1f3a52-2b7e-4f5c-9d3e-0a1b2c3d4e5f';
const input: OrderSagaInput = {
  sagaId,
  orderId: 'order-v2',
  items: [
    { sku: 'BOOK', quantity: 2 },
    { sku: 'PEN', quantity: 1 },
  ],
  total: 42.5,
  maxRetryAttempts: 1,
};

const id = (command: CommandType) => commandIdOf(sagaId, command);

const events = {
  assessed: { type: 'risk.assessed', data: { command_id: id('risk.assess'), score: 3 } },
  rejected: {
    type: 'risk.rejected',
    data: {
      command_id: id('risk.assess'),
      score: 95,
      code: 'RISK_SCORE_TOO_HIGH',
      message: 'risk score 95 is above the limit of 80',
    },
  },
  authorized: {
    type: 'payment.authorized',
    data: { command_id: id('payment.authorize'), authorization_id: 'auth-1' },
  },
  declined: {
    type: 'payment.declined',
    data: { command_id: id('payment.authorize'), code: 'LIMIT', message: 'over the limit' },
  },
  reserved: { type: 'inventory.reserved', data: { command_id: id('inventory.reserve') } },
  rejectedStock: {
    type: 'inventory.rejected',
    data: { command_id: id('inventory.reserve'), code: 'OUT_OF_STOCK', message: 'no BOOK' },
  },
  voided: { type: 'payment.voided', data: { command_id: id('payment.void'), voided: 1 } },
  ready: {
    type: 'shipping.ready',
    data: { command_id: id('shipping.create'), shipment_id: 's-1', tracking_number: 'T-1' },
  },
  timedOut: { type: 'step.timed_out', data: { token: 't' } },
  expired: { type: 'saga.stuck_expired', data: {} },
  replay: { type: 'operator.replay', data: { actor: 'ops', reason: 'fixed' } },
  cancel: { type: 'operator.cancel', data: { actor: 'ops', reason: 'customer asked' } },
  retry: {
    type: 'command.retry_scheduled',
    data: {
      command_id: id('risk.assess'),
      command: 'risk.assess',
      retry: 1,
      delay_ms: 200,
      code: 'BOOM',
      message: 'thrown',
    },
  },
  deadLettered: {
    type: 'command.dead_lettered',
    data: {
      command_id: id('risk.assess'),
      command: 'risk.assess',
      attempts: 2,
      code: 'BOOM',
      message: 'thrown',
    },
  },
} satisfies Record<string, OrderSagaEvent>;

type Name = keyof typeof events;

function run(...names: Name[]): Decision[] {
  const decisions = [startSaga(input, 2)];
  for (const name of names) {
    decisions.push(decide(decisions[decisions.length - 1]!.saga, events[name]));
  }
  return decisions;
}

const last = (decisions: Decision[]) => decisions[decisions.length - 1]!;
const types = (decision: Decision) => decision.timeline.map((e) => e.type);
const sent = (decision: Decision) => decision.commands.map((c) => c.type);

describe('order saga v2 (fraud check before payment)', () => {
  it('order saga v2, given a new order, when started, then it assesses risk first with the total and lines', () => {
    const [started] = run();

    expect(started!.saga.version).to.equal(2);
    expect(started!).to.include({ state: 'assessingRisk', status: 'PENDING', step: 'risk' });
    expect(started!.commands).to.deep.equal([
      {
        type: 'risk.assess',
        step: 'risk',
        commandId: id('risk.assess'),
        attempt: 1,
        data: { command_id: id('risk.assess'), amount: 42.5, items: input.items },
      },
    ]);
    expect(types(started!)).to.deep.equal(['SAGA_STARTED', 'COMMAND_SENT']);
    expect(started!.timeline[0]).to.include({ state: 'assessingRisk' });
    expect(started!.deadline).to.deep.equal({ kind: 'arm', extraMs: 0 });
  });

  it('order saga v2, given the check passes, when assessed, then it authorizes payment next', () => {
    const assessed = last(run('assessed'));

    expect(assessed).to.include({
      state: 'authorizingPayment',
      status: 'PENDING',
      step: 'payment',
    });
    expect(sent(assessed)).to.deep.equal(['payment.authorize']);
    expect(assessed.timeline.map((e) => `${e.type}:${e.step}`)).to.deep.equal([
      'REPLY_RECEIVED:risk',
      'STEP_SUCCEEDED:risk',
      'COMMAND_SENT:payment',
    ]);
  });

  it('order saga v2, given every step succeeds, when run, then it completes with the steps in order', () => {
    const decisions = run('assessed', 'authorized', 'reserved', 'ready');

    expect(last(decisions)).to.include({ state: 'completed', status: 'COMPLETED', step: null });
    const succeeded = decisions
      .flatMap((d) => d.timeline)
      .filter((e) => e.type === 'STEP_SUCCEEDED')
      .map((e) => e.step);
    expect(succeeded).to.deep.equal(['risk', 'payment', 'inventory', 'shipping']);
  });

  it('order saga v2, given the check rejects the order, when rejected, then it is cancelled with nothing to compensate', () => {
    const rejected = last(run('rejected'));

    expect(rejected).to.include({ state: 'cancelled', status: 'CANCELLED', step: null });
    expect(rejected.commands).to.deep.equal([]);
    expect(types(rejected)).to.deep.equal(['REPLY_RECEIVED', 'STEP_FAILED', 'SAGA_CANCELLED']);
    expect(rejected.reason).to.deep.equal({
      step: 'risk',
      code: 'RISK_SCORE_TOO_HIGH',
      message: 'risk score 95 is above the limit of 80',
    });
    expect(rejected.deadline).to.deep.equal({ kind: 'clear' });
  });

  it('order saga v2, given payment is declined after the check, when declined, then it is cancelled without compensation', () => {
    const declined = last(run('assessed', 'declined'));

    expect(declined).to.include({ state: 'cancelled', status: 'CANCELLED' });
    expect(declined.commands).to.deep.equal([]);
    expect(types(declined)).to.not.include('COMPENSATION_STARTED');
    expect(declined.reason).to.include({ step: 'payment', code: 'LIMIT' });
  });

  it('order saga v2, given stock is rejected, when rejected, then it voids the payment as version 1 does', () => {
    const decisions = run('assessed', 'authorized', 'rejectedStock');

    expect(last(decisions)).to.include({ state: 'compensating.voidingPayment' });
    expect(sent(last(decisions))).to.deep.equal(['payment.void']);
    expect(types(last(decisions))).to.include('COMPENSATION_STARTED');
    expect(last(run('assessed', 'authorized', 'rejectedStock', 'voided'))).to.include({
      status: 'CANCELLED',
    });
  });

  it('order saga v2, given an operator cancels during the check, when cancelled, then it ends at once with the operator as reason', () => {
    const cancelled = last(run('cancel'));

    expect(cancelled).to.include({ state: 'cancelled', status: 'CANCELLED' });
    expect(cancelled.commands).to.deep.equal([]);
    expect(types(cancelled)).to.deep.equal(['ADMIN_CANCEL', 'SAGA_CANCELLED']);
    expect(cancelled.timeline[0]).to.include({ actor: 'ops', reason: 'customer asked' });
    expect(cancelled.reason).to.deep.equal({
      step: 'risk',
      code: 'ADMIN_CANCEL',
      message: 'customer asked',
    });
  });

  it('order saga v2, given a worker retry notice for the check, when received, then it is noted and the deadline waits the delay', () => {
    const noticed = last(run('retry'));

    expect(noticed.state).to.equal('assessingRisk');
    expect(noticed.timeline).to.deep.equal([
      {
        type: 'RETRY_SCHEDULED',
        step: 'risk',
        command: 'risk.assess',
        command_id: id('risk.assess'),
        attempt: 1,
        delay_ms: 200,
        code: 'BOOM',
        message: 'thrown',
      },
    ]);
    expect(noticed.deadline).to.deep.equal({ kind: 'arm', extraMs: 200 });
  });

  it('order saga v2, given no reply to the check, when the step times out within the budget, then the same command is re-sent', () => {
    const resent = last(run('timedOut'));

    expect(resent.state).to.equal('assessingRisk');
    expect(resent.commands).to.have.length(1);
    expect(resent.commands[0]).to.include({
      type: 'risk.assess',
      commandId: id('risk.assess'),
      attempt: 2,
    });
    expect(resent.timeline[0]).to.include({ type: 'STEP_TIMED_OUT', step: 'risk', attempt: 1 });
  });

  it('order saga v2, given the check times out past its budget, when timed out again, then the saga is stuck at the risk step', () => {
    const stuck = last(run('timedOut', 'timedOut'));

    expect(stuck).to.include({ state: 'stuck', status: 'STUCK', step: 'risk' });
    expect(stuck.reason).to.include({ step: 'risk', code: 'STEP_TIMEOUT' });
    expect(stuck.saga.context.stuckFrom).to.equal('assessingRisk');
  });

  it('order saga v2, given the check was dead-lettered, when replayed, then it assesses again with the same command id', () => {
    const stuck = last(run('deadLettered'));
    expect(stuck).to.include({ status: 'STUCK', step: 'risk' });
    expect(types(stuck)).to.deep.equal(['DEAD_LETTERED', 'SAGA_STUCK']);

    const replayed = last(run('deadLettered', 'replay'));

    expect(replayed).to.include({ state: 'assessingRisk', status: 'PENDING', step: 'risk' });
    expect(types(replayed)).to.deep.equal(['ADMIN_REPLAY', 'COMMAND_SENT']);
    expect(replayed.commands[0]).to.include({ commandId: id('risk.assess'), attempt: 2 });
    expect(replayed.reason).to.equal(null);
  });

  for (const [abandon, expected] of [
    ['cancel', ['ADMIN_CANCEL', 'SAGA_CANCELLED']],
    ['expired', ['SAGA_CANCELLED']],
  ] as const) {
    it(`order saga v2, given a saga stuck at the check, when ${abandon === 'cancel' ? 'an operator cancels it' : 'it expires'}, then it ends cancelled with nothing to compensate`, () => {
      const ended = last(run('deadLettered', abandon));

      expect(ended).to.include({ state: 'cancelled', status: 'CANCELLED' });
      expect(ended.commands).to.deep.equal([]);
      expect(types(ended)).to.deep.equal(expected);
    });
  }

  it('order saga v2, given a saga stuck at payment, when an operator cancels it, then it voids the payment as version 1 does', () => {
    const deadPayment: OrderSagaEvent = {
      ...events.deadLettered,
      data: {
        ...events.deadLettered.data,
        command_id: id('payment.authorize'),
        command: 'payment.authorize',
      },
    };
    const stuck = decide(last(run('assessed')).saga, deadPayment);
    expect(stuck).to.include({ status: 'STUCK', step: 'payment' });

    const cancelled = decide(stuck.saga, events.cancel);

    expect(cancelled.state).to.equal('compensating.voidingPayment');
    expect(sent(cancelled)).to.deep.equal(['payment.void']);
    expect(types(cancelled)).to.deep.equal([
      'ADMIN_CANCEL',
      'COMPENSATION_STARTED',
      'COMMAND_SENT',
    ]);
  });

  it('order saga v2, given a late check reply after payment started, when received, then it is recorded as late and changes nothing', () => {
    const authorizing = last(run('assessed'));

    const late = decide(authorizing.saga, events.assessed);

    expect(late.accepted).to.equal(false);
    expect(late.saga).to.deep.equal(authorizing.saga);
    expect(late.timeline).to.deep.equal([
      {
        type: 'REPLY_RECEIVED',
        step: 'risk',
        reply: 'risk.assessed',
        command_id: id('risk.assess'),
        late: true,
      },
    ]);
  });

  it('order saga v2, given a stored snapshot, when it went through JSON, then deciding on it gives the same result', () => {
    const stored = last(run('assessed')).saga;
    const roundTripped = JSON.parse(JSON.stringify(stored)) as StoredSaga;

    expect(decide(roundTripped, events.authorized)).to.deep.equal(
      decide(stored, events.authorized),
    );
  });
});

describe('order saga versions side by side', () => {
  it('order saga versions, given no version named, when started, then it is version 1 and pays first', () => {
    const started = startSaga(input);

    expect(started.saga.version).to.equal(1);
    expect(started.state).to.equal('authorizingPayment');
    expect(started.commands.map((c) => c.type)).to.deep.equal(['payment.authorize']);
  });

  it('order saga versions, given a version 1 saga, when a fraud-check reply reaches it, then it is late: version 1 has no such step', () => {
    const v1 = startSaga(input, 1);

    const late = decide(v1.saga, events.assessed);

    expect(late.accepted).to.equal(false);
    expect(late.saga).to.deep.equal(v1.saga);
  });

  it('order saga versions, given a version 1 saga stuck at payment, when replayed, then it resumes on version 1', () => {
    const deadPayment: OrderSagaEvent = {
      ...events.deadLettered,
      data: {
        ...events.deadLettered.data,
        command_id: id('payment.authorize'),
        command: 'payment.authorize',
      },
    };
    const stuck = decide(startSaga(input, 1).saga, deadPayment);

    const replayed = decide(stuck.saga, events.replay);

    expect(replayed.saga.version).to.equal(1);
    expect(replayed.state).to.equal('authorizingPayment');
    expect(replayed.commands.map((c) => c.type)).to.deep.equal(['payment.authorize']);
  });
});
