/**
 * Requests of the order API: the body of POST /orders, and the query and path of every read.
 * The original design's body — `items` as plain SKU strings — is accepted unchanged.
 */
import { orderStatuses } from '../../order/status';
import { idPattern } from '../envelope';
import { moneySchema } from '../money';
import { faultModes } from '../order-request';
import {
  noQuerySchema,
  orderIdSchema,
  pathSchema,
  querySchema,
  sagaIdSchema,
  stepSchema,
  userIdSchema,
} from './common';
import { PagingParameters, pagingQueryProperties } from './paging';

export const MAX_ORDER_BODY_BYTES = 64 * 1024;

export const orderRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['order_id', 'user_id', 'items', 'total'],
  description:
    'A new order. Posting the same order_id with the same body again is a safe retry; with another body it is a conflict.',
  examples: [{ order_id: '123', user_id: '42', items: ['Book'], total: 20.0 }],
  properties: {
    order_id: orderIdSchema,
    user_id: userIdSchema,
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      description: 'The lines: a SKU string is one unit of it; repeated SKUs add up',
      items: {
        oneOf: [
          { type: 'string', pattern: idPattern, description: 'One unit of this SKU' },
          {
            type: 'object',
            additionalProperties: false,
            required: ['sku', 'quantity'],
            properties: {
              sku: { type: 'string', pattern: idPattern, description: 'The SKU' },
              quantity: { type: 'integer', minimum: 1, maximum: 1000, description: 'Units' },
            },
          },
        ],
      },
    },
    total: { ...moneySchema, description: `The order total. ${moneySchema.description}` },
    force_fail: {
      type: 'boolean',
      description:
        'Failure injection (needs FAULT_INJECTION=on): the payment step fails technically on every attempt',
    },
    simulate: {
      type: 'object',
      additionalProperties: false,
      required: ['step', 'mode'],
      description: 'Failure injection for this order (needs FAULT_INJECTION=on)',
      properties: {
        step: stepSchema,
        mode: { enum: faultModes, description: 'How the step fails' },
        times: {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
          description: "Deliveries of the step's forward command that fail; absent means all",
        },
      },
    },
  },
} as const;

export const orderListQuerySchema = querySchema({
  status: { enum: orderStatuses, description: 'Only orders in this status' },
  step: { ...stepSchema, description: 'Only orders whose step in progress is this one' },
  user_id: { ...userIdSchema, description: 'Only orders of this user' },
  created_after: {
    type: 'string',
    format: 'date-time',
    description: 'Only orders created strictly after this instant (RFC 3339)',
    examples: ['2026-11-24T09:00:00Z'],
  },
  created_before: {
    type: 'string',
    format: 'date-time',
    description: 'Only orders created strictly before this instant (RFC 3339)',
  },
  ...pagingQueryProperties,
});

export interface OrderListQuery extends PagingParameters {
  status?: string;
  step?: string;
  user_id?: string;
  created_after?: string;
  created_before?: string;
}

/** Seconds to hold a request for the order's outcome (or, on a timeline, for new entries). */
export const MAX_WAIT_SECONDS = 60;
const waitSchema = {
  type: 'number',
  exclusiveMinimum: 0,
  maximum: MAX_WAIT_SECONDS,
  description:
    'Hold the request until the order is COMPLETED, CANCELLED or STUCK, or until this many seconds pass (at most 60); then answer with the order as it is',
  examples: [30],
} as const;

export const orderReadQuerySchema = querySchema({ wait: waitSchema });

export interface OrderReadQuery {
  wait?: number;
}

export const timelineQuerySchema = querySchema({
  after: {
    type: 'integer',
    minimum: 0,
    maximum: 999_999_999,
    description: 'Only the entries with a larger sequence number (to follow a running saga)',
    examples: [11],
  },
  wait: {
    ...waitSchema,
    description:
      'With `after`: hold the request until there are newer entries, or until this many seconds pass (at most 60)',
  },
});

export interface TimelineQuery {
  after?: number;
  wait?: number;
}
export const orderSubmitQuerySchema = noQuerySchema;

export const orderPathSchema = pathSchema({ order_id: orderIdSchema });
export const sagaPathSchema = pathSchema({ saga_id: sagaIdSchema });
