/** Answers of the admin API: STUCK sagas, replay and cancel, dead letters, fault rules. */
import { steps } from '../envelope';
import { faultRuleSetSchema } from '../fault-rules';
import { orderIdSchema, sagaIdSchema } from './common';
import { failureReasonSchema } from './order-responses';
import { nextCursorSchema } from './paging';

export const stuckSagaListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sagas', 'next_cursor'],
  description: 'Longest stuck first',
  properties: {
    sagas: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'saga_id',
          'order_id',
          'step',
          'reason',
          'stuck_since',
          'age_seconds',
          'diagnosis',
        ],
        properties: {
          saga_id: sagaIdSchema,
          order_id: orderIdSchema,
          step: { enum: [...steps, null] },
          reason: { oneOf: [failureReasonSchema, { type: 'null' }] },
          stuck_since: { type: 'string', description: 'When the saga became STUCK' },
          age_seconds: { type: 'integer', minimum: 0 },
          diagnosis: { type: 'string', description: 'What an operator can do about it' },
        },
      },
    },
    next_cursor: nextCursorSchema,
  },
} as const;

const commandSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['command', 'command_id', 'step', 'attempt'],
  properties: {
    command: { type: 'string', examples: ['payment.authorize'] },
    command_id: { type: 'string', description: 'The same id as the original send' },
    step: { enum: steps },
    attempt: { type: 'integer', minimum: 1 },
  },
} as const;

export const actionResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['saga_id', 'order_id', 'result', 'status', 'commands'],
  properties: {
    saga_id: sagaIdSchema,
    order_id: orderIdSchema,
    result: {
      enum: ['applied', 'dry_run', 'rejected'],
      description: 'dry_run: nothing was sent; rejected: not allowed in the saga’s state',
    },
    status: { type: 'string', description: 'The order status after the action' },
    commands: { type: 'array', items: commandSchema, description: 'Sent, or that would be' },
    detail: { type: 'string' },
  },
  examples: [
    {
      saga_id: '3b241101-e2bb-4255-8caf-4136c566a962',
      order_id: '123',
      result: 'applied',
      status: 'PENDING',
      commands: [
        {
          command: 'payment.authorize',
          command_id: '9f8c3c4e-8f5e-4a56-b1f4-0f3a1c7e2d11',
          step: 'payment',
          attempt: 3,
        },
      ],
    },
  ],
} as const;

export const bulkReplayResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dry_run', 'count', 'sagas'],
  properties: {
    dry_run: { type: 'boolean' },
    count: { type: 'integer', minimum: 0, description: 'Sagas replayed (or that would be)' },
    sagas: { type: 'array', items: actionResultSchema },
  },
} as const;

const nullable = (type: 'string' | 'integer', description?: string) =>
  ({ type: [type, 'null'], ...(description ? { description } : {}) }) as const;

export const deadLetterSchema = {
  type: 'object',
  required: [
    'message_id',
    'saga_id',
    'order_id',
    'step',
    'command',
    'reason',
    'attempts',
    'dead_lettered_at',
  ],
  properties: {
    message_id: { type: 'string' },
    saga_id: nullable('string'),
    order_id: nullable('string'),
    step: nullable('string'),
    command: nullable('string', 'e.g. payment.authorize'),
    reason: nullable('string', 'The last error, truncated'),
    attempts: nullable('integer', 'Deliveries before it was dead-lettered'),
    dead_lettered_at: nullable('string'),
    obsolete: {
      type: 'boolean',
      description: 'Its saga is no longer STUCK (replayed or cancelled): replaying it is moot',
    },
  },
} as const;

export const deadLetterListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['queues'],
  properties: {
    queues: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['queue', 'count', 'messages'],
        properties: {
          queue: { type: 'string', examples: ['payment.commands.dlq'] },
          count: { type: 'integer', minimum: 0, description: 'Messages in the queue' },
          messages: { type: 'array', items: deadLetterSchema, description: 'Up to `limit`' },
          next_cursor: {
            type: ['string', 'null'],
            description:
              'Pass back as `cursor` (with this `queue`) for the next page; null on the last one',
          },
        },
      },
    },
  },
} as const;

export const deadLetterReplayResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['queue', 'replayed', 'messages', 'resumed_sagas'],
  properties: {
    queue: { type: 'string' },
    replayed: { type: 'integer', minimum: 0 },
    messages: { type: 'array', items: deadLetterSchema, description: 'The first 500 replayed' },
    resumed_sagas: {
      type: 'array',
      items: sagaIdSchema,
      description: 'The first 500 sagas resumed',
    },
    resumed: { type: 'integer', minimum: 0, description: 'Sagas resumed, all of them' },
  },
} as const;

export const deadLetterPurgeResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['queue', 'purged'],
  properties: { queue: { type: 'string' }, purged: { type: 'integer', minimum: 0 } },
} as const;

export const faultRuleSchema = faultRuleSetSchema.properties.rules.items;

export const faultRuleListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['fault_injection', 'rules'],
  properties: {
    fault_injection: { type: 'boolean', description: 'Whether FAULT_INJECTION is on' },
    rules: { type: 'array', items: faultRuleSchema },
  },
} as const;

export const faultRuleRemovedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['removed'],
  properties: { removed: { type: 'integer', minimum: 0 } },
} as const;
