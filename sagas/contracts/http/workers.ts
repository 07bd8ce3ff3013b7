/**
 * The workers' read APIs (payment, inventory, shipping): the stock update request and every
 * answer. Records are never deleted; a worker that never saw an order answers 404.
 */
import { idPattern } from '../envelope';
import { moneySchema } from '../money';
import { orderIdSchema, pathSchema, skuSchema } from './common';

const instant = { type: 'string', format: 'date-time' } as const;

/** A business refusal kept with its record, e.g. `{"code":"OUT_OF_STOCK","message":"..."}`. */
const refusalSchema = {
  type: ['object', 'null'],
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  description: 'Why it was declined or rejected; null otherwise',
} as const;

export const stockUpdateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['available'],
  properties: {
    available: {
      type: 'integer',
      minimum: 0,
      maximum: 1_000_000_000,
      description: 'Units on hand; reservations are left as they are',
    },
  },
  examples: [{ available: 500 }],
} as const;

export const stockLevelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'available', 'reserved'],
  properties: {
    sku: skuSchema,
    available: { type: 'integer', description: 'Units that can still be reserved' },
    reserved: {
      type: 'integer',
      minimum: 0,
      description: 'Units held by RESERVED reservations (completed orders keep theirs)',
    },
  },
  examples: [{ sku: 'Book', available: 999_998, reserved: 2 }],
} as const;

export const stockListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['stock'],
  properties: { stock: { type: 'array', items: stockLevelSchema } },
} as const;

export const reservationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['order_id', 'status', 'items'],
  properties: {
    order_id: orderIdSchema,
    status: { enum: ['RESERVED', 'RELEASED', 'REJECTED'] },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'quantity'],
        properties: {
          sku: { type: 'string', pattern: idPattern },
          quantity: { type: 'integer', minimum: 1 },
        },
      },
    },
    reason: refusalSchema,
    created_at: instant,
    updated_at: instant,
  },
  examples: [{ order_id: '123', status: 'RESERVED', items: [{ sku: 'Book', quantity: 1 }] }],
} as const;

export const paymentsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['order_id', 'authorizations'],
  properties: {
    order_id: orderIdSchema,
    authorizations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['authorization_id', 'amount', 'status'],
        properties: {
          authorization_id: { type: 'string' },
          amount: moneySchema,
          status: {
            enum: ['AUTHORIZED', 'VOIDED', 'DECLINED'],
            description: 'A DECLINED attempt is kept with the provider’s reason',
          },
          reason: refusalSchema,
          created_at: instant,
          updated_at: instant,
        },
      },
    },
  },
  examples: [
    {
      order_id: '123',
      authorizations: [{ authorization_id: 'auth_5f2c', amount: 20, status: 'AUTHORIZED' }],
    },
  ],
} as const;

export const shipmentsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['order_id', 'shipments'],
  properties: {
    order_id: orderIdSchema,
    shipments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['shipment_id', 'tracking_number', 'status'],
        properties: {
          shipment_id: { type: 'string' },
          tracking_number: { type: ['string', 'null'], description: 'null when REJECTED' },
          status: { enum: ['CREATED', 'CANCELLED', 'REJECTED'] },
          reason: refusalSchema,
          created_at: instant,
          updated_at: instant,
        },
      },
    },
  },
  examples: [
    {
      order_id: '123',
      shipments: [{ shipment_id: 'shp_91ab', tracking_number: 'TRK123456', status: 'CREATED' }],
    },
  ],
} as const;

export const skuPathSchema = pathSchema({ sku: skuSchema });
