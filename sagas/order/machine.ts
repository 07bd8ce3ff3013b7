/**
 * The order saga, version 1.
 *
 *   happy path:    authorizingPayment ──▶ reservingInventory ──▶ creatingShipment ──▶ completed
 *                        │ declined            │ rejected               │ rejected
 *                        ▼                     ▼                        ▼
 *   compensation:    cancelled ◀── voidingPayment ◀──────────── releasingInventory
 *                                  (compensating.*: undo completed steps in reverse order)
 *
 * The machine is a pure decider: `sendCommand` and `record` have no implementation here. They
 * come back from `transition` as action objects, and the saga runner turns them into outbox
 * rows and timeline events inside the same database transaction as the new snapshot.
 */
import { assign, setup } from 'xstate';
import { CommandType, Failure, OrderLine, ReplyData, ReplyType } from '../contracts/messages';
import { Step } from '../contracts/envelope';

export interface OrderSagaInput {
  sagaId: string;
  orderId: string;
  items: OrderLine[];
  total: number;
}

export interface FailureReason extends Failure {
  step: Step;
}

export interface OrderSagaContext extends OrderSagaInput {
  /** Sends of each command so far; the attempt number of the next COMMAND_SENT. */
  attempts: Partial<Record<CommandType, number>>;
  reason: FailureReason | null;
}

export type ReplyEvent = { [K in ReplyType]: { type: K; data: ReplyData[K] } }[ReplyType];
export type OrderSagaEvent = ReplyEvent;

type FailureReply = Extract<ReplyEvent, { data: Failure }>;

export type TimelineNoteType =
  | 'STEP_SUCCEEDED'
  | 'STEP_FAILED'
  | 'COMPENSATION_STARTED'
  | 'COMPENSATED'
  | 'SAGA_COMPLETED'
  | 'SAGA_CANCELLED';

export interface SendCommandParams {
  command: CommandType;
}

export interface RecordParams {
  type: TimelineNoteType;
  step?: Step;
}

/** Count the attempt, then send: the decider reads the attempt number from the new context. */
const send = (command: CommandType) =>
  [
    { type: 'countAttempt', params: { command } },
    { type: 'sendCommand', params: { command } },
  ] as const;

const note = (type: TimelineNoteType, step?: Step) =>
  ({ type: 'record', params: step ? { type, step } : { type } }) as const;

const fail = (step: Step) =>
  [note('STEP_FAILED', step), { type: 'rememberFailure', params: { step } }] as const;

export const orderSagaMachine = setup({
  types: {
    context: {} as OrderSagaContext,
    events: {} as OrderSagaEvent,
    input: {} as OrderSagaInput,
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
    }),
    rememberFailure: assign({
      reason: ({ event }, { step }: { step: Step }): FailureReason => {
        const { code, message } = (event as FailureReply).data;
        return { step, code, message };
      },
    }),
  },
}).createMachine({
  id: 'orderSaga',
  context: ({ input }) => ({ ...input, attempts: {}, reason: null }),
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
      },
    },
    reservingInventory: {
      entry: send('inventory.reserve'),
      on: {
        'inventory.reserved': {
          target: 'creatingShipment',
          actions: note('STEP_SUCCEEDED', 'inventory'),
        },
        'inventory.rejected': { target: 'compensating.voidingPayment', actions: fail('inventory') },
      },
    },
    creatingShipment: {
      entry: send('shipping.create'),
      on: {
        'shipping.ready': { target: 'completed', actions: note('STEP_SUCCEEDED', 'shipping') },
        'shipping.rejected': {
          target: 'compensating.releasingInventory',
          actions: fail('shipping'),
        },
      },
    },
    compensating: {
      entry: note('COMPENSATION_STARTED'),
      initial: 'releasingInventory',
      states: {
        releasingInventory: {
          entry: send('inventory.release'),
          on: {
            'inventory.released': {
              target: 'voidingPayment',
              actions: note('COMPENSATED', 'inventory'),
            },
          },
        },
        voidingPayment: {
          entry: send('payment.void'),
          on: {
            'payment.voided': {
              target: '#orderSaga.cancelled',
              actions: note('COMPENSATED', 'payment'),
            },
          },
        },
      },
    },
    completed: { type: 'final', entry: note('SAGA_COMPLETED') },
    cancelled: { type: 'final', entry: note('SAGA_CANCELLED') },
  },
});

export type OrderSagaMachine = typeof orderSagaMachine;
