import { expect } from 'chai';
import { CommandType, ReplyType, commandIdOf, replyTypes } from '../../sagas/contracts/messages';
import { Decision, StoredSaga, decide, startSaga } from '../../sagas/order/decide';
import { OrderSagaEvent, OrderSagaInput, ReplyEvent } from '../../sagas/order/machine';
import { UnknownSagaVersionError } from '../../sagas/order/versions';

const sagaId = '3b241101-e2bb-4255-8caf-4136c566a962';
const input: OrderSagaInput = {
  sagaId,
  orderId: 'order-123',
  items: [
    { sku: 'BOOK', quantity: 2 },
    { sku: 'PEN', quantity: 1 },
  ],
  total: 42.5,
  maxRetryAttempts: 3,
};

/** Replies that answer a command; `command.retry_scheduled` is a worker's notice, not an answer. */
type Answer = Exclude<ReplyType, 'command.retry_scheduled'>;
const answerTypes = replyTypes.filter((type): type is Answer => type !== 'command.retry_scheduled');

/** One well-formed answer of every type, to the command the saga sent for it. */
const replies: { [K in Answer]: Extract<ReplyEvent, { type: K }> } = {
  'payment.authorized': {
    type: 'payment.authorized',
    data: { command_id: commandIdOf(sagaId, 'payment.authorize'), authorization_id: 'auth-1' },
  },
  'payment.declined': {
    type: 'payment.declined',
    data: {
      command_id: commandIdOf(sagaId, 'payment.authorize'),
      code: 'INSUFFICIENT_FUNDS',
      message: 'card declined',
    },
  },
  'payment.voided': {
    type: 'payment.voided',
    data: { command_id: commandIdOf(sagaId, 'payment.void'), voided: 1 },
  },
  'inventory.reserved': {
    type: 'inventory.reserved',
    data: { command_id: commandIdOf(sagaId, 'inventory.reserve') },
  },
  'inventory.rejected': {
    type: 'inventory.rejected',
    data: {
      command_id: commandIdOf(sagaId, 'inventory.reserve'),
      code: 'OUT_OF_STOCK',
      message: 'BOOK is out of stock',
    },
  },
  'inventory.released': {
    type: 'inventory.released',
    data: { command_id: commandIdOf(sagaId, 'inventory.release'), released: true },
  },
  'shipping.ready': {
    type: 'shipping.ready',
    data: {
      command_id: commandIdOf(sagaId, 'shipping.create'),
      shipment_id: 'ship-1',
      tracking_number: 'TRK-1',
    },
  },
  'shipping.rejected': {
    type: 'shipping.rejected',
    data: {
      command_id: commandIdOf(sagaId, 'shipping.create'),
      code: 'NO_CARRIER',
      message: 'no carrier available',
    },
  },
  'shipping.cancelled': {
    type: 'shipping.cancelled',
    data: { command_id: commandIdOf(sagaId, 'shipping.cancel'), cancelled: 1 },
  },
};

/** A worker's notice that `command` failed technically and will be retried. */
function retryNotice(command: CommandType): OrderSagaEvent {
  return {
    type: 'command.retry_scheduled',
    data: {
      command_id: commandIdOf(sagaId, command),
      command,
      retry: 1,
      delay_ms: 5000,
      code: 'PROVIDER_UNAVAILABLE',
      message: 'payment provider answered 503',
    },
  };
}

/** The broker's or a worker's word that `command` was dead-lettered after its retries. */
function deadLetterOf(command: CommandType): OrderSagaEvent {
  return {
    type: 'command.dead_lettered',
    data: {
      command_id: commandIdOf(sagaId, command),
      command,
      attempts: 4,
      code: 'PROVIDER_UNAVAILABLE',
      message: 'provider answered 503',
    },
  };
}

function operator(type: 'operator.replay' | 'operator.cancel'): OrderSagaEvent {
  return { type, data: { actor: 'ops', reason: 'customer called' } };
}

/** The runner checks the token against the saga row; the decider never sees a stale one. */
function timedOut(): OrderSagaEvent {
  return { type: 'step.timed_out', data: { token: 'token-1' } };
}

function stuckExpired(): OrderSagaEvent {
  return { type: 'saga.stuck_expired', data: {} };
}

/** Feeds the events (answers by type) in order, each to the snapshot the previous one produced. */
function run(...events: Array<Answer | OrderSagaEvent>): Decision[] {
  const decisions = [startSaga(input)];
  for (const event of events) {
    const next = typeof event === 'string' ? replies[event] : event;
    decisions.push(decide(decisions[decisions.length - 1]!.saga, next));
  }
  return decisions;
}

function last(decisions: Decision[]): Decision {
  return decisions[decisions.length - 1]!;
}

function timelineTypes(decision: Decision): string[] {
  return decision.timeline.map((entry) => entry.type);
}

/** How an answer is recorded when it is received: REPLY_RECEIVED on the step it answers. */
function leadingEntryOf(type: Answer) {
  return {
    type: 'REPLY_RECEIVED',
    step: type.slice(0, type.indexOf('.')),
    reply: type,
    command_id: replies[type].data.command_id,
  };
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('order saga', () => {
  describe('startSaga', () => {
    it('given an order, when the saga starts, then it is authorizing payment with status PENDING on step payment', () => {
      // Arrange / Act
      const decision = startSaga(input);

      // Assert
      expect(decision.accepted).to.equal(true);
      expect(decision.state).to.equal('authorizingPayment');
      expect(decision.status).to.equal('PENDING');
      expect(decision.step).to.equal('payment');
      expect(decision.reason).to.equal(null);
    });

    it('given an order, when the saga starts, then it sends exactly one payment.authorize for the order total with a stable command id', () => {
      // Arrange
      const expectedId = commandIdOf(sagaId, 'payment.authorize');

      // Act
      const decision = startSaga(input);

      // Assert
      expect(decision.commands).to.deep.equal([
        {
          type: 'payment.authorize',
          step: 'payment',
          commandId: expectedId,
          attempt: 1,
          data: { command_id: expectedId, amount: input.total },
        },
      ]);
    });

    it('given an order, when the saga starts, then the timeline is SAGA_STARTED followed by COMMAND_SENT', () => {
      // Act
      const decision = startSaga(input);

      // Assert
      expect(decision.timeline).to.deep.equal([
        { type: 'SAGA_STARTED', state: 'authorizingPayment' },
        {
          type: 'COMMAND_SENT',
          step: 'payment',
          command: 'payment.authorize',
          command_id: commandIdOf(sagaId, 'payment.authorize'),
          attempt: 1,
        },
      ]);
    });

    it('given the same input twice, when the saga starts, then both decisions are identical (no clock, no randomness)', () => {
      // Act
      const first = startSaga(input);
      const second = startSaga(input);

      // Assert
      expect(clone(first)).to.deep.equal(clone(second));
    });
  });

  describe('happy path', () => {
    it('given payment authorized, when inventory is reserved and shipping is ready, then the saga walks PAYMENT_AUTHORIZED, INVENTORY_RESERVED and ends COMPLETED', () => {
      // Act
      const [, authorized, reserved, shipped] = run(
        'payment.authorized',
        'inventory.reserved',
        'shipping.ready',
      );

      // Assert
      expect([authorized!.state, authorized!.status, authorized!.step]).to.deep.equal([
        'reservingInventory',
        'PAYMENT_AUTHORIZED',
        'inventory',
      ]);
      expect([reserved!.state, reserved!.status, reserved!.step]).to.deep.equal([
        'creatingShipment',
        'INVENTORY_RESERVED',
        'shipping',
      ]);
      expect([shipped!.state, shipped!.status, shipped!.step]).to.deep.equal([
        'completed',
        'COMPLETED',
        null,
      ]);
      expect(shipped!.reason).to.equal(null);
    });

    it('given payment authorized, when the reply is decided, then it records the reply and the success before sending inventory.reserve with the order lines', () => {
      // Act
      const authorized = last(run('payment.authorized'));

      // Assert
      const reserveId = commandIdOf(sagaId, 'inventory.reserve');
      expect(authorized.timeline).to.deep.equal([
        {
          type: 'REPLY_RECEIVED',
          step: 'payment',
          reply: 'payment.authorized',
          command_id: commandIdOf(sagaId, 'payment.authorize'),
        },
        { type: 'STEP_SUCCEEDED', step: 'payment' },
        {
          type: 'COMMAND_SENT',
          step: 'inventory',
          command: 'inventory.reserve',
          command_id: reserveId,
          attempt: 1,
        },
      ]);
      expect(authorized.commands).to.deep.equal([
        {
          type: 'inventory.reserve',
          step: 'inventory',
          commandId: reserveId,
          attempt: 1,
          data: { command_id: reserveId, items: input.items },
        },
      ]);
    });

    it('given inventory reserved, when the reply is decided, then it sends shipping.create with the order lines', () => {
      // Act
      const reserved = last(run('payment.authorized', 'inventory.reserved'));

      // Assert
      const createId = commandIdOf(sagaId, 'shipping.create');
      expect(timelineTypes(reserved)).to.deep.equal([
        'REPLY_RECEIVED',
        'STEP_SUCCEEDED',
        'COMMAND_SENT',
      ]);
      expect(reserved.commands).to.deep.equal([
        {
          type: 'shipping.create',
          step: 'shipping',
          commandId: createId,
          attempt: 1,
          data: { command_id: createId, items: input.items },
        },
      ]);
    });

    it('given shipping ready, when the reply is decided, then it sends nothing and SAGA_COMPLETED is the last timeline entry', () => {
      // Act
      const shipped = last(run('payment.authorized', 'inventory.reserved', 'shipping.ready'));

      // Assert
      expect(shipped.commands).to.deep.equal([]);
      expect(shipped.timeline).to.deep.equal([
        {
          type: 'REPLY_RECEIVED',
          step: 'shipping',
          reply: 'shipping.ready',
          command_id: commandIdOf(sagaId, 'shipping.create'),
        },
        { type: 'STEP_SUCCEEDED', step: 'shipping' },
        { type: 'SAGA_COMPLETED', state: 'completed' },
      ]);
    });

    it('given the whole happy path, when all timelines are concatenated, then every step succeeds in order and nothing is compensated', () => {
      // Act
      const decisions = run('payment.authorized', 'inventory.reserved', 'shipping.ready');
      const timeline = decisions.flatMap((d) => d.timeline);

      // Assert
      expect(timeline.map((e) => (e.step ? `${e.type}:${e.step}` : e.type))).to.deep.equal([
        'SAGA_STARTED',
        'COMMAND_SENT:payment',
        'REPLY_RECEIVED:payment',
        'STEP_SUCCEEDED:payment',
        'COMMAND_SENT:inventory',
        'REPLY_RECEIVED:inventory',
        'STEP_SUCCEEDED:inventory',
        'COMMAND_SENT:shipping',
        'REPLY_RECEIVED:shipping',
        'STEP_SUCCEEDED:shipping',
        'SAGA_COMPLETED',
      ]);
      expect(decisions.every((d) => d.accepted)).to.equal(true);
    });
  });

  describe('payment declined', () => {
    it('given payment is being authorized, when payment is declined, then the saga is CANCELLED with the payment failure as reason', () => {
      // Act
      const declined = last(run('payment.declined'));

      // Assert
      const reason = { step: 'payment', code: 'INSUFFICIENT_FUNDS', message: 'card declined' };
      expect(declined.accepted).to.equal(true);
      expect(declined.state).to.equal('cancelled');
      expect(declined.status).to.equal('CANCELLED');
      expect(declined.step).to.equal(null);
      expect(declined.reason).to.deep.equal(reason);
      expect(declined.saga.context.reason).to.deep.equal(reason);
    });

    it('given payment is being authorized, when payment is declined, then nothing is compensated and no command is sent', () => {
      // Act
      const declined = last(run('payment.declined'));

      // Assert
      expect(declined.commands).to.deep.equal([]);
      expect(timelineTypes(declined)).to.deep.equal([
        'REPLY_RECEIVED',
        'STEP_FAILED',
        'SAGA_CANCELLED',
      ]);
      expect(timelineTypes(declined)).to.not.include('COMPENSATION_STARTED');
      expect(declined.timeline[1]).to.deep.equal({
        type: 'STEP_FAILED',
        step: 'payment',
        reason: { step: 'payment', code: 'INSUFFICIENT_FUNDS', message: 'card declined' },
      });
    });
  });

  describe('inventory rejected', () => {
    it('given payment authorized, when inventory is rejected, then the saga is COMPENSATING on step payment and sends only payment.void', () => {
      // Act
      const rejected = last(run('payment.authorized', 'inventory.rejected'));

      // Assert
      const voidId = commandIdOf(sagaId, 'payment.void');
      expect(rejected.state).to.equal('compensating.voidingPayment');
      expect(rejected.status).to.equal('COMPENSATING');
      expect(rejected.step).to.equal('payment');
      expect(rejected.reason).to.deep.equal({
        step: 'inventory',
        code: 'OUT_OF_STOCK',
        message: 'BOOK is out of stock',
      });
      expect(rejected.commands).to.deep.equal([
        {
          type: 'payment.void',
          step: 'payment',
          commandId: voidId,
          attempt: 1,
          data: { command_id: voidId },
        },
      ]);
    });

    it('given payment authorized, when inventory is rejected, then the timeline is STEP_FAILED, COMPENSATION_STARTED, COMMAND_SENT(payment.void)', () => {
      // Act
      const rejected = last(run('payment.authorized', 'inventory.rejected'));

      // Assert
      expect(rejected.timeline.slice(1)).to.deep.equal([
        {
          type: 'STEP_FAILED',
          step: 'inventory',
          reason: { step: 'inventory', code: 'OUT_OF_STOCK', message: 'BOOK is out of stock' },
        },
        { type: 'COMPENSATION_STARTED' },
        {
          type: 'COMMAND_SENT',
          step: 'payment',
          command: 'payment.void',
          command_id: commandIdOf(sagaId, 'payment.void'),
          attempt: 1,
        },
      ]);
    });

    it('given payment is being voided, when payment is voided, then the saga is CANCELLED after COMPENSATED(payment) and SAGA_CANCELLED', () => {
      // Act
      const voided = last(run('payment.authorized', 'inventory.rejected', 'payment.voided'));

      // Assert
      expect(voided.state).to.equal('cancelled');
      expect(voided.status).to.equal('CANCELLED');
      expect(voided.step).to.equal(null);
      expect(voided.commands).to.deep.equal([]);
      expect(voided.timeline.slice(1)).to.deep.equal([
        { type: 'COMPENSATED', step: 'payment' },
        { type: 'SAGA_CANCELLED', state: 'cancelled' },
      ]);
      expect(voided.reason).to.deep.equal({
        step: 'inventory',
        code: 'OUT_OF_STOCK',
        message: 'BOOK is out of stock',
      });
    });
  });

  describe('shipping rejected', () => {
    it('given stock reserved, when shipping is rejected, then it releases inventory before voiding payment and ends CANCELLED', () => {
      // Act
      const decisions = run(
        'payment.authorized',
        'inventory.reserved',
        'shipping.rejected',
        'inventory.released',
        'payment.voided',
      );

      // Assert
      const compensations = decisions.slice(3).flatMap((d) => d.commands.map((c) => c.type));
      expect(compensations).to.deep.equal(['inventory.release', 'payment.void']);
      const [rejected, released, voided] = decisions.slice(3);
      expect([rejected!.state, rejected!.status, rejected!.step]).to.deep.equal([
        'compensating.releasingInventory',
        'COMPENSATING',
        'inventory',
      ]);
      expect([released!.state, released!.status, released!.step]).to.deep.equal([
        'compensating.voidingPayment',
        'COMPENSATING',
        'payment',
      ]);
      expect([voided!.state, voided!.status, voided!.step]).to.deep.equal([
        'cancelled',
        'CANCELLED',
        null,
      ]);
      expect(voided!.reason).to.deep.equal({
        step: 'shipping',
        code: 'NO_CARRIER',
        message: 'no carrier available',
      });
    });

    it('given stock reserved, when shipping is rejected and compensation runs, then the timeline has exactly one COMPENSATION_STARTED and compensates inventory then payment', () => {
      // Act
      const decisions = run(
        'payment.authorized',
        'inventory.reserved',
        'shipping.rejected',
        'inventory.released',
        'payment.voided',
      );

      // Assert
      const timeline = decisions.slice(3).flatMap((d) => d.timeline);
      expect(timeline.map((e) => (e.step ? `${e.type}:${e.step}` : e.type))).to.deep.equal([
        'REPLY_RECEIVED:shipping',
        'STEP_FAILED:shipping',
        'COMPENSATION_STARTED',
        'COMMAND_SENT:inventory',
        'REPLY_RECEIVED:inventory',
        'COMPENSATED:inventory',
        'COMMAND_SENT:payment',
        'REPLY_RECEIVED:payment',
        'COMPENSATED:payment',
        'SAGA_CANCELLED',
      ]);
      expect(timeline.filter((e) => e.type === 'COMPENSATION_STARTED')).to.have.length(1);
    });
  });

  describe('events the state does not accept', () => {
    it('given payment is being authorized, when shipping.ready arrives, then the decision is not accepted, nothing changes and the reply is recorded as late', () => {
      // Arrange
      const started = startSaga(input);
      const before = clone(started.saga);

      // Act
      const decision = decide(started.saga, replies['shipping.ready']);

      // Assert
      expect(decision.accepted).to.equal(false);
      expect(decision.commands).to.deep.equal([]);
      expect(decision.timeline).to.deep.equal([
        {
          type: 'REPLY_RECEIVED',
          step: 'shipping',
          reply: 'shipping.ready',
          command_id: commandIdOf(sagaId, 'shipping.create'),
          late: true,
        },
      ]);
      expect(decision.saga).to.deep.equal(before);
      expect(decision.state).to.equal('authorizingPayment');
      expect(decision.status).to.equal('PENDING');
    });

    it('given a completed saga, when any reply arrives, then none is accepted, the snapshot stays COMPLETED and the reply is recorded as late', () => {
      // Arrange
      const completed = last(run('payment.authorized', 'inventory.reserved', 'shipping.ready'));
      const before = clone(completed.saga);

      for (const type of answerTypes) {
        // Act
        const decision = decide(completed.saga, replies[type]);

        // Assert
        expect(decision.accepted, type).to.equal(false);
        expect(decision.commands, type).to.deep.equal([]);
        expect(decision.timeline, type).to.deep.equal([{ ...leadingEntryOf(type), late: true }]);
        expect(decision.saga, type).to.deep.equal(before);
        expect(decision.status, type).to.equal('COMPLETED');
      }
    });

    it('given a reply that was already decided, when it is delivered again, then it is not accepted (duplicate replies are harmless)', () => {
      // Arrange
      const authorized = last(run('payment.authorized'));

      // Act
      const duplicate = decide(authorized.saga, replies['payment.authorized']);

      // Assert
      expect(duplicate.accepted).to.equal(false);
      expect(duplicate.commands).to.deep.equal([]);
      expect(duplicate.saga.context.attempts).to.deep.equal({
        'payment.authorize': 1,
        'inventory.reserve': 1,
      });
    });
  });

  describe('late events', () => {
    it('given a completed saga, when a dead letter of its shipping.create arrives, then it changes nothing and is recorded as a late DEAD_LETTERED', () => {
      // Arrange
      const completed = last(run('payment.authorized', 'inventory.reserved', 'shipping.ready'));
      const before = clone(completed.saga);

      // Act
      const decision = decide(completed.saga, deadLetterOf('shipping.create'));

      // Assert
      expect(decision.accepted).to.equal(false);
      expect(decision.saga).to.deep.equal(before);
      expect(decision.status).to.equal('COMPLETED');
      expect(decision.timeline).to.deep.equal([
        {
          type: 'DEAD_LETTERED',
          step: 'shipping',
          command: 'shipping.create',
          command_id: commandIdOf(sagaId, 'shipping.create'),
          attempt: 4,
          code: 'PROVIDER_UNAVAILABLE',
          message: 'provider answered 503',
          late: true,
        },
      ]);
    });

    it('given a cancelled saga, when an operator replay arrives after all, then it changes nothing and is recorded as a late ADMIN_REPLAY with its actor and reason', () => {
      // Arrange
      const cancelled = last(run('payment.declined'));

      // Act
      const decision = decide(cancelled.saga, operator('operator.replay'));

      // Assert
      expect(decision.accepted).to.equal(false);
      expect(decision.commands).to.deep.equal([]);
      expect(decision.timeline).to.deep.equal([
        { type: 'ADMIN_REPLAY', actor: 'ops', reason: 'customer called', late: true },
      ]);
    });

    it("given a completed saga, when a step timeout or a STUCK expiry arrives, then it is not accepted and, being the coordinator's own timer, not recorded", () => {
      // Arrange
      const completed = last(run('payment.authorized', 'inventory.reserved', 'shipping.ready'));

      for (const event of [timedOut(), stuckExpired()]) {
        // Act
        const decision = decide(completed.saga, event);

        // Assert
        expect(decision.accepted, event.type).to.equal(false);
        expect(decision.timeline, event.type).to.deep.equal([]);
      }
    });
  });

  describe('operator cancel reason', () => {
    it("given payment is being authorized, when an operator cancels, then the reason is ADMIN_CANCEL on step payment with the operator's words", () => {
      // Act
      const cancelled = last(run(operator('operator.cancel')));

      // Assert
      const reason = { step: 'payment', code: 'ADMIN_CANCEL', message: 'customer called' };
      expect(cancelled.reason).to.deep.equal(reason);
      expect(cancelled.saga.context.reason).to.deep.equal(reason);
    });

    it('given a saga cancelled by an operator in flight, when its compensation completes, then the CANCELLED order keeps the ADMIN_CANCEL reason', () => {
      // Act
      const voided = last(
        run(
          'payment.authorized',
          operator('operator.cancel'),
          'inventory.released',
          'payment.voided',
        ),
      );

      // Assert
      expect(voided.status).to.equal('CANCELLED');
      expect(voided.reason).to.deep.equal({
        step: 'inventory',
        code: 'ADMIN_CANCEL',
        message: 'customer called',
      });
    });

    it('given a saga STUCK at inventory, when an operator cancels, then the reason becomes ADMIN_CANCEL on step inventory (the stuck reason stays on SAGA_STUCK)', () => {
      // Arrange
      const stuck = last(run('payment.authorized', deadLetterOf('inventory.reserve')));

      // Act
      const cancelled = decide(stuck.saga, operator('operator.cancel'));

      // Assert
      expect(stuck.timeline.find((e) => e.type === 'SAGA_STUCK')!.reason).to.include({
        code: 'PROVIDER_UNAVAILABLE',
      });
      expect(cancelled.reason).to.deep.equal({
        step: 'inventory',
        code: 'ADMIN_CANCEL',
        message: 'customer called',
      });
    });

    it('given a saga STUCK at inventory, when its STUCK time expires, then the stuck reason stays', () => {
      // Arrange
      const stuck = last(run('payment.authorized', deadLetterOf('inventory.reserve')));

      // Act
      const expired = decide(stuck.saga, stuckExpired());

      // Assert
      expect(expired.reason).to.deep.equal({
        step: 'inventory',
        code: 'PROVIDER_UNAVAILABLE',
        message: 'provider answered 503',
      });
    });
  });

  describe('every state against every answer', () => {
    /** The transitions the diagram in machine.ts allows; every other answer must be rejected. */
    const allowed: Record<string, Partial<Record<Answer, string>>> = {
      authorizingPayment: {
        'payment.authorized': 'reservingInventory',
        'payment.declined': 'cancelled',
      },
      reservingInventory: {
        'inventory.reserved': 'creatingShipment',
        'inventory.rejected': 'compensating.voidingPayment',
      },
      creatingShipment: {
        'shipping.ready': 'completed',
        'shipping.rejected': 'compensating.releasingInventory',
      },
      'compensating.cancellingShipment': {
        'shipping.cancelled': 'compensating.releasingInventory',
      },
      'compensating.releasingInventory': {
        'inventory.released': 'compensating.voidingPayment',
      },
      'compensating.voidingPayment': { 'payment.voided': 'cancelled' },
      stuck: {},
      completed: {},
      cancelled: {},
    };

    const deadLettered: OrderSagaEvent = {
      type: 'command.dead_lettered',
      data: {
        command_id: commandIdOf(sagaId, 'payment.authorize'),
        command: 'payment.authorize',
        attempts: 4,
        code: 'PROVIDER_UNAVAILABLE',
        message: 'payment provider answered 503',
      },
    };
    const operatorCancel: OrderSagaEvent = {
      type: 'operator.cancel',
      data: { actor: 'ops', reason: 'customer called' },
    };

    /** A path of events from the start to each state. */
    const paths: Record<string, Array<Answer | OrderSagaEvent>> = {
      authorizingPayment: [],
      reservingInventory: ['payment.authorized'],
      creatingShipment: ['payment.authorized', 'inventory.reserved'],
      'compensating.cancellingShipment': [
        'payment.authorized',
        'inventory.reserved',
        operatorCancel,
      ],
      'compensating.releasingInventory': [
        'payment.authorized',
        'inventory.reserved',
        'shipping.rejected',
      ],
      'compensating.voidingPayment': ['payment.authorized', 'inventory.rejected'],
      stuck: [deadLettered],
      completed: ['payment.authorized', 'inventory.reserved', 'shipping.ready'],
      cancelled: ['payment.declined'],
    };

    for (const [state, path] of Object.entries(paths)) {
      for (const type of answerTypes) {
        const target = allowed[state]![type];
        const expectation = target
          ? `then it is accepted and moves to ${target} with another status or step`
          : 'then it is rejected, leaves the snapshot unchanged and is recorded as a late reply';
        it(`given state ${state}, when ${type} arrives, ${expectation}`, () => {
          // Arrange
          const current = last(run(...path));
          expect(current.state).to.equal(state);
          const before = clone(current.saga);

          // Act
          const decision = decide(current.saga, replies[type]);

          // Assert
          if (target) {
            expect(decision.accepted).to.equal(true);
            expect(decision.state).to.equal(target);
            expect([decision.status, decision.step]).to.not.deep.equal([
              current.status,
              current.step,
            ]);
            expect(decision.timeline[0]).to.include({ type: 'REPLY_RECEIVED', reply: type });
          } else {
            expect(decision.accepted).to.equal(false);
            expect(decision.state).to.equal(state);
            expect(decision.commands).to.deep.equal([]);
            expect(decision.timeline).to.deep.equal([{ ...leadingEntryOf(type), late: true }]);
            expect(decision.saga).to.deep.equal(before);
            expect(decision.deadline).to.deep.equal({ kind: 'keep' });
          }
        });
      }
    }
  });

  describe('retry notices', () => {
    it('given payment is being authorized, when a retry notice for another command arrives, then it is rejected, nothing changes and it is recorded as late', () => {
      // Arrange
      const started = startSaga(input);
      const before = clone(started.saga);

      // Act
      const decision = decide(started.saga, retryNotice('inventory.reserve'));

      // Assert
      expect(decision.accepted).to.equal(false);
      expect(timelineTypes(decision)).to.deep.equal(['RETRY_SCHEDULED']);
      expect(decision.timeline[0]).to.include({ step: 'inventory', late: true });
      expect(decision.saga).to.deep.equal(before);
    });

    it('given payment is being authorized, when a retry notice for payment.authorize arrives, then it is accepted, stays put and records RETRY_SCHEDULED', () => {
      // Arrange
      const started = startSaga(input);

      // Act
      const decision = decide(started.saga, retryNotice('payment.authorize'));

      // Assert
      expect(decision.accepted).to.equal(true);
      expect(decision.state).to.equal('authorizingPayment');
      expect(decision.commands).to.deep.equal([]);
      expect(decision.timeline).to.deep.equal([
        {
          type: 'RETRY_SCHEDULED',
          step: 'payment',
          command: 'payment.authorize',
          command_id: commandIdOf(sagaId, 'payment.authorize'),
          attempt: 1,
          delay_ms: 5000,
          code: 'PROVIDER_UNAVAILABLE',
          message: 'payment provider answered 503',
        },
      ]);
    });

    const waitingOn: Array<[string, Array<Answer | OrderSagaEvent>, CommandType]> = [
      ['authorizingPayment', [], 'payment.authorize'],
      ['reservingInventory', ['payment.authorized'], 'inventory.reserve'],
      ['creatingShipment', ['payment.authorized', 'inventory.reserved'], 'shipping.create'],
      [
        'compensating.releasingInventory',
        ['payment.authorized', 'inventory.reserved', 'shipping.rejected'],
        'inventory.release',
      ],
      ['compensating.voidingPayment', ['payment.authorized', 'inventory.rejected'], 'payment.void'],
    ];
    for (const [state, path, command] of waitingOn) {
      it(`given state ${state}, when a retry notice for ${command} arrives, then it is accepted without sending or moving`, () => {
        // Arrange
        const current = last(run(...path));

        // Act
        const decision = decide(current.saga, retryNotice(command));

        // Assert
        expect(decision.accepted).to.equal(true);
        expect([decision.state, decision.status, decision.step]).to.deep.equal([
          state,
          current.status,
          current.step,
        ]);
        expect(decision.commands).to.deep.equal([]);
        expect(timelineTypes(decision)).to.deep.equal(['RETRY_SCHEDULED']);
      });
    }

    it('given a completed saga, when a late retry notice arrives, then it is rejected but the retry that happened is recorded as late', () => {
      // Arrange
      const completed = last(run('payment.authorized', 'inventory.reserved', 'shipping.ready'));
      const before = clone(completed.saga);

      // Act
      const decision = decide(completed.saga, retryNotice('shipping.create'));

      // Assert
      expect(decision.accepted).to.equal(false);
      expect(decision.saga).to.deep.equal(before);
      expect(decision.commands).to.deep.equal([]);
      expect(decision.timeline).to.deep.equal([
        {
          type: 'RETRY_SCHEDULED',
          step: 'shipping',
          command: 'shipping.create',
          command_id: commandIdOf(sagaId, 'shipping.create'),
          attempt: 1,
          delay_ms: 5000,
          code: 'PROVIDER_UNAVAILABLE',
          message: 'payment provider answered 503',
          late: true,
        },
      ]);
    });
  });

  describe('every waiting state against every non-reply event', () => {
    interface Waiting {
      state: string;
      path: Array<Answer | OrderSagaEvent>;
      command: CommandType;
      step: string;
      /** Where an operator's cancel or a STUCK expiry goes, and what it sends. */
      abandon: { target: string; sends: CommandType; starts: boolean };
    }
    const waiting: Waiting[] = [
      {
        state: 'authorizingPayment',
        path: [],
        command: 'payment.authorize',
        step: 'payment',
        abandon: { target: 'compensating.voidingPayment', sends: 'payment.void', starts: true },
      },
      {
        state: 'reservingInventory',
        path: ['payment.authorized'],
        command: 'inventory.reserve',
        step: 'inventory',
        abandon: {
          target: 'compensating.releasingInventory',
          sends: 'inventory.release',
          starts: true,
        },
      },
      {
        state: 'creatingShipment',
        path: ['payment.authorized', 'inventory.reserved'],
        command: 'shipping.create',
        step: 'shipping',
        abandon: {
          target: 'compensating.cancellingShipment',
          sends: 'shipping.cancel',
          starts: true,
        },
      },
      {
        state: 'compensating.cancellingShipment',
        path: ['payment.authorized', 'inventory.reserved', operator('operator.cancel')],
        command: 'shipping.cancel',
        step: 'shipping',
        abandon: {
          target: 'compensating.cancellingShipment',
          sends: 'shipping.cancel',
          starts: false,
        },
      },
      {
        state: 'compensating.releasingInventory',
        path: ['payment.authorized', 'inventory.reserved', 'shipping.rejected'],
        command: 'inventory.release',
        step: 'inventory',
        abandon: {
          target: 'compensating.releasingInventory',
          sends: 'inventory.release',
          starts: false,
        },
      },
      {
        state: 'compensating.voidingPayment',
        path: ['payment.authorized', 'inventory.rejected'],
        command: 'payment.void',
        step: 'payment',
        abandon: {
          target: 'compensating.voidingPayment',
          sends: 'payment.void',
          starts: false,
        },
      },
    ];
    const isForward = (state: string) => !state.startsWith('compensating.');

    for (const { state, path, command, step, abandon } of waiting) {
      describe(`in ${state}`, () => {
        const current = () => last(run(...path));
        const sent = (decision: Decision) =>
          decision.commands.map((c) => [c.type, c.commandId, c.attempt]);
        const stuck = () => last(run(...path, deadLetterOf(command)));

        it(`given state ${state}, when a retry notice for ${command} arrives, then it stays put, sends nothing, records RETRY_SCHEDULED and re-arms the deadline after the retry delay`, () => {
          // Arrange
          const before = current();

          // Act
          const decision = decide(before.saga, retryNotice(command));

          // Assert
          expect(decision.accepted).to.equal(true);
          expect(decision.saga.value).to.deep.equal(before.saga.value);
          expect(decision.saga.context).to.deep.equal(before.saga.context);
          expect(decision.commands).to.deep.equal([]);
          expect(decision.timeline).to.deep.equal([
            {
              type: 'RETRY_SCHEDULED',
              step,
              command,
              command_id: commandIdOf(sagaId, command),
              attempt: 1,
              delay_ms: 5000,
              code: 'PROVIDER_UNAVAILABLE',
              message: 'payment provider answered 503',
            },
          ]);
          expect(decision.deadline).to.deep.equal({ kind: 'arm', extraMs: 5000 });
        });

        it(`given state ${state}, when ${command} is dead-lettered, then the saga is STUCK at ${step} with the dead letter's reason, remembers ${state} and clears the deadline`, () => {
          // Act
          const decision = decide(current().saga, deadLetterOf(command));

          // Assert
          expect([decision.state, decision.status, decision.step]).to.deep.equal([
            'stuck',
            'STUCK',
            step,
          ]);
          const reason = { step, code: 'PROVIDER_UNAVAILABLE', message: 'provider answered 503' };
          expect(decision.reason).to.deep.equal(reason);
          expect(decision.saga.context.stuckFrom).to.equal(state);
          expect(decision.commands).to.deep.equal([]);
          expect(decision.timeline).to.deep.equal([
            {
              type: 'DEAD_LETTERED',
              step,
              command,
              command_id: commandIdOf(sagaId, command),
              attempt: 4,
              code: 'PROVIDER_UNAVAILABLE',
              message: 'provider answered 503',
            },
            { type: 'SAGA_STUCK', reason },
          ]);
          expect(decision.deadline).to.deep.equal({ kind: 'clear' });
        });

        it(`given state ${state} with re-sends left, when its step times out, then it re-sends ${command} with the same command id as the next attempt and re-arms the deadline`, () => {
          // Act
          const decision = decide(current().saga, timedOut());

          // Assert
          expect(decision.state).to.equal(state);
          expect(sent(decision)).to.deep.equal([[command, commandIdOf(sagaId, command), 2]]);
          expect(decision.timeline).to.deep.equal([
            { type: 'STEP_TIMED_OUT', step, command, attempt: 1 },
            {
              type: 'COMMAND_SENT',
              step,
              command,
              command_id: commandIdOf(sagaId, command),
              attempt: 2,
            },
          ]);
          expect(decision.deadline).to.deep.equal({ kind: 'arm', extraMs: 0 });
        });

        it(`given state ${state} whose re-sends are spent, when its step times out again, then the saga is STUCK at ${step} with STEP_TIMEOUT and sends nothing`, () => {
          // Arrange: maxRetryAttempts (3) timeouts re-send; the fourth one stops
          const spent = last(run(...path, timedOut(), timedOut(), timedOut()));
          expect(spent.commands.map((c) => c.attempt)).to.deep.equal([4]);

          // Act
          const decision = decide(spent.saga, timedOut());

          // Assert
          expect([decision.state, decision.status, decision.step]).to.deep.equal([
            'stuck',
            'STUCK',
            step,
          ]);
          expect(decision.reason).to.deep.equal({
            step,
            code: 'STEP_TIMEOUT',
            message: 'no reply within the step timeout',
          });
          expect(decision.saga.context.stuckFrom).to.equal(state);
          expect(decision.commands).to.deep.equal([]);
          expect(timelineTypes(decision)).to.deep.equal(['STEP_TIMED_OUT', 'SAGA_STUCK']);
          expect(decision.timeline[0]).to.include({ attempt: 4 });
          expect(decision.deadline).to.deep.equal({ kind: 'clear' });
        });

        if (isForward(state)) {
          it(`given state ${state}, when an operator cancels, then it compensates from ${step} (the step in flight included) by sending ${abandon.sends}`, () => {
            // Act
            const decision = decide(current().saga, operator('operator.cancel'));

            // Assert
            expect([decision.state, decision.status]).to.deep.equal([
              abandon.target,
              'COMPENSATING',
            ]);
            expect(sent(decision)).to.deep.equal([
              [abandon.sends, commandIdOf(sagaId, abandon.sends), 1],
            ]);
            expect(timelineTypes(decision)).to.deep.equal([
              'ADMIN_CANCEL',
              'COMPENSATION_STARTED',
              'COMMAND_SENT',
            ]);
            expect(decision.timeline[0]).to.include({ actor: 'ops', reason: 'customer called' });
            expect(decision.deadline).to.deep.equal({ kind: 'arm', extraMs: 0 });
          });
        } else {
          it(`given state ${state}, when an operator cancels, then it is not accepted (it is compensating already) and is recorded as late`, () => {
            // Arrange
            const before = current();

            // Act
            const decision = decide(before.saga, operator('operator.cancel'));

            // Assert
            expect(decision.accepted).to.equal(false);
            expect(decision.saga).to.deep.equal(before.saga);
            expect(decision.timeline).to.deep.equal([
              { type: 'ADMIN_CANCEL', actor: 'ops', reason: 'customer called', late: true },
            ]);
            expect(decision.deadline).to.deep.equal({ kind: 'keep' });
          });
        }

        it(`given a saga STUCK from ${state}, when an operator replays it, then it is back in ${state}, re-sends ${command} with the same command id and clears the reason`, () => {
          // Arrange
          const before = stuck();

          // Act
          const decision = decide(before.saga, operator('operator.replay'));

          // Assert
          expect(decision.state).to.equal(state);
          expect([decision.status, decision.step]).to.deep.equal([
            current().status,
            current().step,
          ]);
          expect(decision.reason).to.equal(null);
          expect(decision.saga.context.stuckFrom).to.equal(null);
          expect(sent(decision)).to.deep.equal([[command, commandIdOf(sagaId, command), 2]]);
          expect(timelineTypes(decision)).to.deep.equal(['ADMIN_REPLAY', 'COMMAND_SENT']);
          expect(decision.deadline).to.deep.equal({ kind: 'arm', extraMs: 0 });
        });

        it(`given a saga STUCK from ${state} after its re-sends were spent, when it is replayed, then it gets its re-sends back`, () => {
          // Arrange
          const spent = last(run(...path, timedOut(), timedOut(), timedOut(), timedOut()));
          expect(spent.state).to.equal('stuck');

          // Act
          const replayed = decide(spent.saga, operator('operator.replay'));
          const timedOutAgain = decide(replayed.saga, timedOut());

          // Assert
          expect(timedOutAgain.state).to.equal(state);
          expect(timedOutAgain.commands).to.have.length(1);
        });

        for (const [how, event] of [
          ['an operator cancels it', operator('operator.cancel')],
          ['its STUCK time expires', stuckExpired()],
        ] as const) {
          it(`given a saga STUCK from ${state}, when ${how}, then it compensates from ${abandon.target} by sending ${abandon.sends}, with at most one COMPENSATION_STARTED`, () => {
            // Arrange
            const before = stuck();
            const history = run(...path, deadLetterOf(command));

            // Act
            const decision = decide(before.saga, event);

            // Assert
            expect([decision.state, decision.status]).to.deep.equal([
              abandon.target,
              'COMPENSATING',
            ]);
            expect(decision.saga.context.stuckFrom).to.equal(null);
            expect(sent(decision)).to.deep.equal([
              [
                abandon.sends,
                commandIdOf(sagaId, abandon.sends),
                (before.saga.context.attempts[abandon.sends] ?? 0) + 1,
              ],
            ]);
            const types = timelineTypes(decision);
            expect(types.includes('ADMIN_CANCEL')).to.equal(event.type === 'operator.cancel');
            expect(types.includes('COMPENSATION_STARTED')).to.equal(abandon.starts);
            const started = [...history, decision]
              .flatMap((d) => d.timeline)
              .filter((e) => e.type === 'COMPENSATION_STARTED');
            expect(started).to.have.length(1);
            expect(decision.deadline).to.deep.equal({ kind: 'arm', extraMs: 0 });
          });
        }
      });
    }
  });

  describe('the step deadline', () => {
    it('given a new saga, when it starts, then the deadline is armed for its first command', () => {
      expect(startSaga(input).deadline).to.deep.equal({ kind: 'arm', extraMs: 0 });
    });

    it('given a reply that sends the next command, when decided, then the deadline is armed again', () => {
      expect(last(run('payment.authorized')).deadline).to.deep.equal({ kind: 'arm', extraMs: 0 });
    });

    it('given a retry notice, when decided, then the deadline is pushed back by the retry delay', () => {
      const notice = retryNotice('payment.authorize');
      expect(last(run(notice)).deadline).to.deep.equal({ kind: 'arm', extraMs: 5000 });
    });

    it('given an event the state does not accept, when decided, then the deadline is kept as it is', () => {
      expect(last(run(replies['shipping.ready'])).deadline).to.deep.equal({ kind: 'keep' });
    });

    for (const [end, path] of [
      ['COMPLETED', ['payment.authorized', 'inventory.reserved', 'shipping.ready']],
      ['CANCELLED', ['payment.declined']],
      ['STUCK', [deadLetterOf('payment.authorize')]],
    ] as const) {
      it(`given a saga that becomes ${end}, when decided, then the deadline is cleared (nothing is awaited)`, () => {
        const decision = last(run(...path));
        expect(decision.status).to.equal(end);
        expect(decision.deadline).to.deep.equal({ kind: 'clear' });
      });
    }
  });

  describe('stored snapshots', () => {
    it('given a snapshot that went through JSON, when each reply of a compensation is decided, then every decision equals the one from the in-memory snapshot', () => {
      // Arrange
      const path: Answer[] = [
        'payment.authorized',
        'inventory.reserved',
        'shipping.rejected',
        'inventory.released',
        'payment.voided',
      ];
      let inMemory: StoredSaga = startSaga(input).saga;
      let stored: StoredSaga = clone(inMemory);

      for (const type of path) {
        // Act
        const direct = decide(inMemory, replies[type]);
        const fromJson = decide(stored, replies[type]);

        // Assert
        expect(fromJson.accepted, type).to.equal(true);
        expect(clone(fromJson), type).to.deep.equal(clone(direct));
        inMemory = direct.saga;
        stored = clone(fromJson.saga);
      }
      expect(stored.value).to.equal('cancelled');
    });

    it('given a stored nested compensating state, when it is read back from JSON, then the matching reply is accepted', () => {
      // Arrange
      const compensating = last(run('payment.authorized', 'inventory.rejected'));
      const stored = clone(compensating.saga);

      // Act
      const decision = decide(stored, replies['payment.voided']);

      // Assert
      expect(stored.value).to.deep.equal({ compensating: 'voidingPayment' });
      expect(decision.accepted).to.equal(true);
      expect(decision.status).to.equal('CANCELLED');
    });

    it('given a stored snapshot, when an accepted reply is decided, then the stored snapshot itself is not mutated', () => {
      // Arrange
      const stored = startSaga(input).saga;
      const before = clone(stored);

      // Act
      const decision = decide(stored, replies['payment.authorized']);

      // Assert
      expect(decision.accepted).to.equal(true);
      expect(stored).to.deep.equal(before);
    });

    it('given a snapshot of an unknown definition version, when a reply is decided, then it throws UnknownSagaVersionError', () => {
      // Arrange
      const stored = startSaga(input).saga;

      // Act
      const act = () => decide({ ...stored, version: 999 }, replies['payment.authorized']);

      // Assert
      expect(act).to.throw(UnknownSagaVersionError, /version 999/);
    });
  });
});
