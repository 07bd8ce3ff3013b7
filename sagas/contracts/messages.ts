/**
 * Commands (imperative) and replies (past tense) of the order saga, with one JSON Schema per
 * message type. Command ids are stable: every re-send of a command carries the same id, so a
 * worker answers a repeat from its record instead of acting twice.
 */
import { Envelope, Step, envelopeProperties, envelopeRequired, idPattern, steps } from './envelope';
import { moneySchema } from './money';

export interface OrderLine {
  sku: string;
  quantity: number;
}

export interface Failure {
  code: string;
  message: string;
}

export interface CommandData {
  /** The fraud check: scores the order from its total and its lines; changes nothing. */
  'risk.assess': { command_id: string; amount: number; items: OrderLine[] };
  'payment.authorize': { command_id: string; amount: number };
  'payment.void': { command_id: string };
  'inventory.reserve': { command_id: string; items: OrderLine[] };
  'inventory.release': { command_id: string };
  'shipping.create': { command_id: string; items: OrderLine[] };
  'shipping.cancel': { command_id: string };
}

export interface ReplyData {
  'payment.authorized': { command_id: string; authorization_id: string };
  'payment.declined': { command_id: string } & Failure;
  'payment.voided': { command_id: string; voided: number };
  'inventory.reserved': { command_id: string };
  'inventory.rejected': { command_id: string } & Failure;
  'inventory.released': { command_id: string; released: boolean };
  'shipping.ready': { command_id: string; shipment_id: string; tracking_number: string };
  'shipping.rejected': { command_id: string } & Failure;
  'shipping.cancelled': { command_id: string; cancelled: number };
  /** Not an answer: a worker's notice that a command failed technically and will be retried. */
  'command.retry_scheduled': {
    command_id: string;
    command: CommandType;
    retry: number;
    delay_ms: number;
  } & Failure;
}

/**
 * Replies to the fraud check, which version 2 of the order saga added. They have a table of
 * their own so that `ReplyType` stays exactly the vocabulary version 1 answers to.
 */
export interface RiskReplyData {
  'risk.assessed': { command_id: string; score: number };
  'risk.rejected': { command_id: string; score: number } & Failure;
}

export type CommandType = keyof CommandData;
/** The replies of version 1 of the order saga. */
export type ReplyType = keyof ReplyData;
export type RiskReplyType = keyof RiskReplyData;
/** Every reply a worker may send, whichever saga version asked. */
export type AnyReplyData = ReplyData & RiskReplyData;
export type AnyReplyType = keyof AnyReplyData;

export type Command<T extends CommandType = CommandType> = {
  [K in T]: Envelope<K, CommandData[K]>;
}[T];
export type Reply<T extends AnyReplyType = AnyReplyType> = {
  [K in T]: Envelope<K, AnyReplyData[K]>;
}[T];

export const commandStep: Record<CommandType, Step> = {
  'risk.assess': 'risk',
  'payment.authorize': 'payment',
  'payment.void': 'payment',
  'inventory.reserve': 'inventory',
  'inventory.release': 'inventory',
  'shipping.create': 'shipping',
  'shipping.cancel': 'shipping',
};

export const commandTypes = Object.keys(commandStep) as CommandType[];

/** The command that does each step's work. */
export const forwardCommandOf: Record<Step, CommandType> = {
  risk: 'risk.assess',
  payment: 'payment.authorize',
  inventory: 'inventory.reserve',
  shipping: 'shipping.create',
};

/** A compensation undoes a step; it has no business failure of its own. */
export const isCompensation = (type: CommandType): boolean =>
  forwardCommandOf[commandStep[type]] !== type;

export const replyTypes: readonly ReplyType[] = [
  'payment.authorized',
  'payment.declined',
  'payment.voided',
  'inventory.reserved',
  'inventory.rejected',
  'inventory.released',
  'shipping.ready',
  'shipping.rejected',
  'shipping.cancelled',
  'command.retry_scheduled',
];

export const riskReplyTypes: readonly RiskReplyType[] = ['risk.assessed', 'risk.rejected'];

export const allReplyTypes: readonly AnyReplyType[] = [...replyTypes, ...riskReplyTypes];

const commandId = { type: 'string', minLength: 1, maxLength: 128 } as const;
const orderLines = {
  type: 'array',
  minItems: 1,
  maxItems: 100,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['sku', 'quantity'],
    properties: {
      sku: { type: 'string', pattern: idPattern },
      // Repeated SKUs of an order are merged into one line, so a line may exceed 1,000.
      quantity: { type: 'integer', minimum: 1, maximum: 100_000 },
    },
  },
} as const;
const failure = {
  code: { type: 'string', minLength: 1, maxLength: 64 },
  message: { type: 'string', maxLength: 1024 },
} as const;

function dataSchema(properties: Record<string, unknown>): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
  };
}

/** A risk score: 0 (nothing suspicious) to 100. */
const riskScore = { type: 'integer', minimum: 0, maximum: 100 } as const;

const dataSchemas: Record<CommandType | AnyReplyType, object> = {
  'risk.assess': dataSchema({ command_id: commandId, amount: moneySchema, items: orderLines }),
  'risk.assessed': dataSchema({ command_id: commandId, score: riskScore }),
  'risk.rejected': dataSchema({ command_id: commandId, score: riskScore, ...failure }),
  'payment.authorize': dataSchema({
    command_id: commandId,
    // The order total, exact to the cent: a worker never authorizes an amount it would round.
    amount: moneySchema,
  }),
  'payment.void': dataSchema({ command_id: commandId }),
  'inventory.reserve': dataSchema({ command_id: commandId, items: orderLines }),
  'inventory.release': dataSchema({ command_id: commandId }),
  'shipping.create': dataSchema({ command_id: commandId, items: orderLines }),
  'shipping.cancel': dataSchema({ command_id: commandId }),
  'payment.authorized': dataSchema({
    command_id: commandId,
    authorization_id: { type: 'string', minLength: 1, maxLength: 128 },
  }),
  'payment.declined': dataSchema({ command_id: commandId, ...failure }),
  'payment.voided': dataSchema({ command_id: commandId, voided: { type: 'integer', minimum: 0 } }),
  'inventory.reserved': dataSchema({ command_id: commandId }),
  'inventory.rejected': dataSchema({ command_id: commandId, ...failure }),
  'inventory.released': dataSchema({ command_id: commandId, released: { type: 'boolean' } }),
  'shipping.ready': dataSchema({
    command_id: commandId,
    shipment_id: { type: 'string', minLength: 1, maxLength: 128 },
    tracking_number: { type: 'string', minLength: 1, maxLength: 64 },
  }),
  'shipping.rejected': dataSchema({ command_id: commandId, ...failure }),
  'shipping.cancelled': dataSchema({
    command_id: commandId,
    cancelled: { type: 'integer', minimum: 0 },
  }),
  'command.retry_scheduled': dataSchema({
    command_id: commandId,
    command: { enum: Object.keys(commandStep) },
    retry: { type: 'integer', minimum: 1 },
    delay_ms: { type: 'integer', minimum: 0 },
    ...failure,
  }),
};

/** The step a message type belongs to: `payment.authorize` → payment. */
function stepOfType(type: CommandType | AnyReplyType): Step | undefined {
  if (type in commandStep) return commandStep[type as CommandType];
  const prefix = type.slice(0, type.indexOf('.'));
  return (steps as readonly string[]).includes(prefix) ? (prefix as Step) : undefined;
}

/** One schema for a family of message types: the envelope, then `data` chosen by `type`. */
function envelopeSchema(types: readonly (CommandType | AnyReplyType)[]): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: envelopeRequired,
    properties: { ...envelopeProperties, type: { enum: types }, data: { type: 'object' } },
    allOf: types.map((type) => ({
      if: { required: ['type'], properties: { type: { const: type } } },
      then: {
        properties: {
          data: dataSchemas[type],
          ...(stepOfType(type) ? { step: { const: stepOfType(type) } } : {}),
        },
      },
    })),
  };
}

export const commandSchema = envelopeSchema(commandTypes);
export const replySchema = envelopeSchema(allReplyTypes);

/** Stable id of a command within a saga: the same on every re-send, distinct per command. */
export function commandIdOf(sagaId: string, command: CommandType): string {
  return `${sagaId}/${command}`;
}
