/**
 * The order saga, version 1 (frozen: sagas started on it finish on it, so it never changes).
 *
 *   happy path:    authorizingPayment ──▶ reservingInventory ──▶ creatingShipment ──▶ completed
 *                        │ declined            │ rejected               │ rejected
 *                        ▼                     ▼                        ▼
 *   compensation:    cancelled ◀── voidingPayment ◀── releasingInventory ◀── (cancellingShipment)
 *                                  (compensating.*: undo completed steps in reverse order)
 *
 *   any waiting state ──dead letter / timeouts exhausted──▶ stuck ──replay──▶ the same state
 *                                                            │ expiry or operator cancel
 *                                                            ▼
 *                                     compensating (the step in flight included), then cancelled
 *
 * The machine is a pure decider: `sendCommand` and `record` have no implementation here. They
 * come back from `transition` as action objects, and the saga runner turns them into outbox
 * rows and timeline events inside the same database transaction as the new snapshot.
 */
import { and, assign, setup } from 'xstate';
import { CommandType, Failure, commandStep } from '../../contracts/messages';
import { Step } from '../../contracts/envelope';
import {
  FailureReason,
  OrderSagaContext,
  OrderSagaEvent,
  OrderSagaInput,
  RecordParams,
  SendCommandParams,
  TimelineNoteType,
} from '../machine';

type FailureEvent = Extract<OrderSagaEvent, { data: Failure }>;

export type WaitingState =
  | 'authorizingPayment'
  | 'reservingInventory'
  | 'creatingShipment'
  | 'compensating.cancellingShipment'
  | 'compensating.releasingInventory'
  | 'compensating.voidingPayment';

/** Count the attempt, then send: the decider reads the attempt number from the new context. */
const send = (command: CommandType) =>
  [
    { type: 'countAttempt', params: { command } },
    { type: 'sendCommand', params: { command } },
  ] as const;

const note = (type: TimelineNoteType, step?: Step, command?: CommandType) =>
  ({
    type: 'record',
    params: { type, ...(step ? { step } : {}), ...(command ? { command } : {}) },
  }) as const;

/**
 * A timeout names the send that got no reply. Its params are taken when the note is recorded,
 * before the re-send counts the next attempt; the decider sees only the final context.
 */
const noteTimeout = (step: Step, command: CommandType) =>
  ({
    type: 'record',
    params: ({ context }: { context: OrderSagaContext }): RecordParams => ({
      type: 'STEP_TIMED_OUT',
      step,
      command,
      attempt: context.attempts[command] ?? 1,
    }),
  }) as const;

const fail = (step: Step) =>
  [note('STEP_FAILED', step), { type: 'rememberFailure', params: { step } }] as const;

const stuckAt = (from: WaitingState, step: Step) =>
  ({ type: 'becomeStuck', params: { from, step } }) as const;

/**
 * What every waiting state does besides its replies: note a worker's retry, resend on a
 * timeout while the budget lasts, and stop for an operator when the command is dead-lettered
 * or the timeouts are spent.
 */
function waitingOn(state: WaitingState, command: CommandType) {
  const step = commandStep[command];
  const self = `#orderSaga.${state}`;
  return {
    'command.retry_scheduled': {
      guard: { type: 'isFor', params: { command } },
      actions: [note('RETRY_SCHEDULED', step, command)],
    },
    'command.dead_lettered': {
      guard: { type: 'isFor', params: { command } },
      target: '#orderSaga.stuck',
      actions: [note('DEAD_LETTERED', step, command), stuckAt(state, step)],
    },
    'step.timed_out': [
      // A command still waiting in its queue has not failed: re-sending it would only queue a
      // duplicate behind it and spend an attempt. The saga keeps waiting (under a new deadline).
      { guard: and(['commandQueued', 'awaitingWorker']), actions: [{ type: 'awaitWorker' }] },
      {
        guard: 'commandQueued',
        actions: [note('WAITING_FOR_WORKER', step, command), { type: 'awaitWorker' }],
      },
      {
        guard: { type: 'canResend', params: { command } },
        target: self,
        reenter: true,
        actions: [noteTimeout(step, command), { type: 'countTimeout', params: { command } }],
      },
      {
        target: '#orderSaga.stuck',
        actions: [noteTimeout(step, command), stuckAt(state, step)],
      },
    ],
  } as const;
}

/** Where compensation starts when a saga is abandoned in `from`: its own step included. */
const abandonTargets: Array<{ from: WaitingState; step: Step; target: string; starts: boolean }> = [
  {
    from: 'authorizingPayment',
    step: 'payment',
    target: '#orderSaga.compensating.voidingPayment',
    starts: true,
  },
  {
    from: 'reservingInventory',
    step: 'inventory',
    target: '#orderSaga.compensating.releasingInventory',
    starts: true,
  },
  {
    from: 'creatingShipment',
    step: 'shipping',
    target: '#orderSaga.compensating.cancellingShipment',
    starts: true,
  },
  {
    from: 'compensating.cancellingShipment',
    step: 'shipping',
    target: '#orderSaga.compensating.cancellingShipment',
    starts: false,
  },
  {
    from: 'compensating.releasingInventory',
    step: 'inventory',
    target: '#orderSaga.compensating.releasingInventory',
    starts: false,
  },
  {
    from: 'compensating.voidingPayment',
    step: 'payment',
    target: '#orderSaga.compensating.voidingPayment',
    starts: false,
  },
];

const stuckGuard = (from: WaitingState) => ({ type: 'stuckFrom', params: { from } }) as const;

/** An operator's cancel is the reason the order ends CANCELLED, in the operator's words. */
const cancelledBy = (step: Step) => ({ type: 'rememberCancel', params: { step } }) as const;

const abandon = (byOperator: boolean) =>
  abandonTargets.map(({ from, step, target, starts }) => ({
    guard: stuckGuard(from),
    target,
    actions: [
      // An expiry keeps the reason: a saga cancelled after being stuck too long says why it
      // was stuck. An operator's cancel replaces it; SAGA_STUCK still records the stuck reason.
      ...(byOperator ? [note('ADMIN_CANCEL'), cancelledBy(step)] : []),
      ...(starts ? [note('COMPENSATION_STARTED')] : []),
      { type: 'leaveStuck' } as const,
    ],
  }));

const replay = abandonTargets.map(({ from }) => ({
  guard: stuckGuard(from),
  target: `#orderSaga.${from}`,
  actions: [note('ADMIN_REPLAY'), { type: 'resumeFromStuck' } as const],
}));

/** An operator cancels a saga in flight: compensate what is done and the step in flight. */
const cancelInFlight = (step: Step, target: string) => ({
  target,
  actions: [note('ADMIN_CANCEL'), cancelledBy(step), note('COMPENSATION_STARTED')],
});

export const orderSagaMachine = setup({
  types: {
    context: {} as OrderSagaContext,
    events: {} as OrderSagaEvent,
    input: {} as OrderSagaInput,
  },
  guards: {
    isFor: ({ event }, { command }: SendCommandParams) =>
      'data' in event && 'command' in event.data && event.data.command === command,
    /**
     * The command has not reached a worker yet: no worker consumes its queue, or the queue has a
     * backlog it may still sit in. A re-send would join the back of the same queue.
     */
    commandQueued: ({ event }) =>
      event.type === 'step.timed_out' &&
      event.data.queue !== undefined &&
      (event.data.queue.consumers === 0 || event.data.queue.ready > 0),
    awaitingWorker: ({ context }) => context.awaitingWorker === true,
    canResend: ({ context }, { command }: SendCommandParams) =>
      (context.timeouts[command] ?? 0) < context.maxRetryAttempts,
    stuckFrom: ({ context }, { from }: { from: WaitingState }) => context.stuckFrom === from,
  },
  actions: {
    // Descriptors only: the runner acts on them after the transaction is planned.
    sendCommand: (_, _params: SendCommandParams) => undefined,
    record: (_, _params: RecordParams) => undefined,
    countAttempt: assign({
      attempts: ({ context }, { command }: SendCommandParams) => ({
        ...context.attempts,
        [command]: (context.attempts[command] ?? 0) + 1,
      }),
      awaitingWorker: false,
    }),
    countTimeout: assign({
      timeouts: ({ context }, { command }: SendCommandParams) => ({
        ...context.timeouts,
        [command]: (context.timeouts[command] ?? 0) + 1,
      }),
      awaitingWorker: false,
    }),
    awaitWorker: assign({ awaitingWorker: true }),
    rememberFailure: assign({
      reason: ({ event }, { step }: { step: Step }): FailureReason => {
        const { code, message } = (event as FailureEvent).data;
        return { step, code, message };
      },
    }),
    becomeStuck: assign(({ event }, { from, step }: { from: WaitingState; step: Step }) => ({
      stuckFrom: from,
      reason:
        event.type === 'command.dead_lettered'
          ? { step, code: event.data.code, message: event.data.message }
          : { step, code: 'STEP_TIMEOUT', message: 'no reply within the step timeout' },
    })),
    rememberCancel: assign({
      reason: ({ event }, { step }: { step: Step }): FailureReason => ({
        step,
        code: 'ADMIN_CANCEL',
        message: event.type === 'operator.cancel' ? event.data.reason : 'cancelled by an operator',
      }),
    }),
    resumeFromStuck: assign({ stuckFrom: null, reason: null, timeouts: {} }),
    leaveStuck: assign({ stuckFrom: null, timeouts: {} }),
  },
}).createMachine({
  id: 'orderSaga',
  context: ({ input }) => ({
    ...input,
    attempts: {},
    timeouts: {},
    reason: null,
    stuckFrom: null,
    awaitingWorker: false,
  }),
  initial: 'authorizingPayment',
  states: {
    authorizingPayment: {
      entry: send('payment.authorize'),
      on: {
        'payment.authorized': {
          target: 'reservingInventory',
          actions: note('STEP_SUCCEEDED', 'payment'),
        },
        'payment.declined': { target: 'cancelled', actions: fail('payment') },
        'operator.cancel': cancelInFlight('payment', '#orderSaga.compensating.voidingPayment'),
        ...waitingOn('authorizingPayment', 'payment.authorize'),
      },
    },
    reservingInventory: {
      entry: send('inventory.reserve'),
      on: {
        'inventory.reserved': {
          target: 'creatingShipment',
          actions: note('STEP_SUCCEEDED', 'inventory'),
        },
        'inventory.rejected': {
          target: '#orderSaga.compensating.voidingPayment',
          actions: [...fail('inventory'), note('COMPENSATION_STARTED')],
        },
        'operator.cancel': cancelInFlight(
          'inventory',
          '#orderSaga.compensating.releasingInventory',
        ),
        ...waitingOn('reservingInventory', 'inventory.reserve'),
      },
    },
    creatingShipment: {
      entry: send('shipping.create'),
      on: {
        'shipping.ready': { target: 'completed', actions: note('STEP_SUCCEEDED', 'shipping') },
        'shipping.rejected': {
          target: '#orderSaga.compensating.releasingInventory',
          actions: [...fail('shipping'), note('COMPENSATION_STARTED')],
        },
        'operator.cancel': cancelInFlight('shipping', '#orderSaga.compensating.cancellingShipment'),
        ...waitingOn('creatingShipment', 'shipping.create'),
      },
    },
    compensating: {
      initial: 'releasingInventory',
      states: {
        cancellingShipment: {
          entry: send('shipping.cancel'),
          on: {
            'shipping.cancelled': {
              target: 'releasingInventory',
              actions: note('COMPENSATED', 'shipping'),
            },
            ...waitingOn('compensating.cancellingShipment', 'shipping.cancel'),
          },
        },
        releasingInventory: {
          entry: send('inventory.release'),
          on: {
            'inventory.released': {
              target: 'voidingPayment',
              actions: note('COMPENSATED', 'inventory'),
            },
            ...waitingOn('compensating.releasingInventory', 'inventory.release'),
          },
        },
        voidingPayment: {
          entry: send('payment.void'),
          on: {
            'payment.voided': {
              target: '#orderSaga.cancelled',
              actions: note('COMPENSATED', 'payment'),
            },
            ...waitingOn('compensating.voidingPayment', 'payment.void'),
          },
        },
      },
    },
    stuck: {
      entry: note('SAGA_STUCK'),
      on: {
        'operator.replay': replay,
        'operator.cancel': abandon(true),
        'saga.stuck_expired': abandon(false),
      },
    },
    completed: { type: 'final', entry: note('SAGA_COMPLETED') },
    cancelled: { type: 'final', entry: note('SAGA_CANCELLED') },
  },
});

export type OrderSagaMachine = typeof orderSagaMachine;
