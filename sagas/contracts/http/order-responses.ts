/**
 * Answers of the order API: the order view, the accepted order, listings, the saga timeline
 * and the saga details. The OpenAPI document publishes them and the end-to-end tests check
 * every real answer against them.
 */
import { orderStatuses } from '../../order/status';
import { steps } from '../envelope';
import { moneySchema } from '../money';
import { orderIdSchema, sagaIdSchema, userIdSchema } from './common';
import { orderRequestSchema } from './orders';
import { nextCursorSchema } from './paging';

const instant = (description: string) =>
  ({ type: 'string', format: 'date-time', description }) as const;

const nullableStep = {
  enum: [...steps, null],
  description: 'The step in progress; null once the saga has ended',
} as const;

const statusSchema = { enum: orderStatuses, description: 'The order status' } as const;

export const failureReasonSchema = {
  type: 'object',
  required: ['step', 'code', 'message'],
  description: 'Why the order was cancelled or is STUCK',
  properties: {
    step: { enum: steps, description: 'The step that failed' },
    code: { type: 'string', description: 'e.g. AMOUNT_LIMIT_EXCEEDED, OUT_OF_STOCK' },
    message: { type: 'string' },
  },
  examples: [{ step: 'payment', code: 'AMOUNT_LIMIT_EXCEEDED', message: 'amount over limit' }],
} as const;

export const orderViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'order_id',
    'saga_id',
    'user_id',
    'status',
    'step',
    'items',
    'total',
    'created_at',
    'updated_at',
  ],
  properties: {
    order_id: orderIdSchema,
    saga_id: sagaIdSchema,
    user_id: userIdSchema,
    status: statusSchema,
    step: nullableStep,
    items: orderRequestSchema.properties.items,
    total: moneySchema,
    reason: { ...failureReasonSchema, description: 'Present on CANCELLED and STUCK orders' },
    created_at: instant('When the order was accepted'),
    updated_at: instant('When its status last changed'),
  },
  examples: [
    {
      order_id: '123',
      saga_id: '3b241101-e2bb-4255-8caf-4136c566a962',
      user_id: '42',
      status: 'COMPLETED',
      step: null,
      items: ['Book'],
      total: 20,
      created_at: '2026-11-24T09:00:00.000Z',
      updated_at: '2026-11-24T09:00:00.250Z',
    },
  ],
} as const;

export const orderAcceptedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['order_id', 'saga_id', 'status'],
  properties: {
    order_id: orderIdSchema,
    saga_id: sagaIdSchema,
    status: { ...statusSchema, description: 'PENDING, or further if it moved on meanwhile' },
  },
  examples: [
    { order_id: '123', saga_id: '3b241101-e2bb-4255-8caf-4136c566a962', status: 'PENDING' },
  ],
} as const;

export const orderListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['orders', 'next_cursor'],
  description: 'Newest first',
  properties: {
    orders: { type: 'array', items: orderViewSchema },
    next_cursor: nextCursorSchema,
  },
} as const;

/**
 * One entry of a saga's history. Each type carries its own fields beside these (`command`,
 * `command_id`, `delay_ms`, `code`, `actor`, ...), so the entry stays open.
 */
export const timelineEventSchema = {
  type: 'object',
  required: ['seq', 'at', 'type'],
  properties: {
    seq: { type: 'integer', minimum: 1, description: 'Strictly increasing within a saga' },
    at: instant('When it happened'),
    type: {
      type: 'string',
      description:
        'SAGA_STARTED, COMMAND_SENT, REPLY_RECEIVED, STEP_SUCCEEDED, STEP_FAILED, RETRY_SCHEDULED, STEP_TIMED_OUT, WAITING_FOR_WORKER, DEAD_LETTERED, COMPENSATION_STARTED, COMPENSATED, SAGA_COMPLETED, SAGA_CANCELLED, SAGA_STUCK, ADMIN_REPLAY, ADMIN_CANCEL, ...',
    },
    state: { type: 'string', description: 'The machine state entered' },
    step: { enum: steps, description: 'On every event about a step' },
    command: { type: 'string', description: 'On COMMAND_SENT, e.g. payment.void' },
    command_id: { type: 'string', description: 'The same id on every re-send of a command' },
    attempt: { type: 'integer', minimum: 1 },
    delay_ms: { type: 'integer', minimum: 0, description: 'On RETRY_SCHEDULED' },
    actor: { type: 'string', description: 'On admin events' },
  },
} as const;

export const timelineSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['order_id', 'saga_id', 'status', 'events'],
  properties: {
    order_id: orderIdSchema,
    saga_id: sagaIdSchema,
    status: statusSchema,
    events: { type: 'array', items: timelineEventSchema },
  },
  examples: [
    {
      order_id: '123',
      saga_id: '3b241101-e2bb-4255-8caf-4136c566a962',
      status: 'COMPLETED',
      events: [
        {
          seq: 1,
          at: '2026-11-24T09:00:00.000Z',
          type: 'SAGA_STARTED',
          state: 'authorizingPayment',
        },
        {
          seq: 2,
          at: '2026-11-24T09:00:00.001Z',
          type: 'COMMAND_SENT',
          step: 'payment',
          command: 'payment.authorize',
          command_id: '9f8c3c4e-8f5e-4a56-b1f4-0f3a1c7e2d11',
          attempt: 1,
        },
      ],
    },
  ],
} as const;

export const sagaCountsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['counts', 'total'],
  properties: {
    counts: {
      type: 'object',
      propertyNames: statusSchema,
      additionalProperties: { type: 'integer', minimum: 0 },
      description: 'Sagas per status right now',
    },
    total: { type: 'integer', minimum: 0 },
  },
  examples: [{ counts: { COMPLETED: 12, STUCK: 1 }, total: 13 }],
} as const;

export const sagaDetailsSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'saga_id',
    'order_id',
    'user_id',
    'status',
    'state',
    'step',
    'version',
    'reason',
    'last_seq',
    'deadline_at',
    'stuck_since',
    'created_at',
    'updated_at',
    'age_seconds',
  ],
  properties: {
    saga_id: sagaIdSchema,
    order_id: orderIdSchema,
    user_id: userIdSchema,
    status: statusSchema,
    state: { type: 'string', description: 'The machine state, e.g. authorizingPayment' },
    step: nullableStep,
    version: { type: 'integer', minimum: 1, description: 'The saga definition version' },
    reason: { oneOf: [failureReasonSchema, { type: 'null' }] },
    last_seq: { type: 'integer', minimum: 0, description: 'The last timeline sequence number' },
    deadline_at: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'When the step in progress times out',
    },
    stuck_since: { type: ['string', 'null'], format: 'date-time' },
    created_at: instant('When the saga started'),
    updated_at: instant('When it last changed'),
    age_seconds: { type: 'integer', minimum: 0 },
  },
} as const;
