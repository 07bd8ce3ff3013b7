/**
 * The body of POST /orders (SPEC §4). The original design's shape — `items` as plain SKU
 * strings — is accepted unchanged; `normalizeLines` folds it into quantities per SKU.
 */
import { Step, idPattern, steps } from './envelope';
import { OrderLine } from './messages';

export const faultModes = ['decline', 'error', 'timeout', 'crash', 'poison'] as const;
export type FaultMode = (typeof faultModes)[number];

export interface Simulation {
  step: Step;
  mode: FaultMode;
  times?: number;
}

export interface OrderRequest {
  order_id: string;
  user_id: string;
  items: (string | OrderLine)[];
  total: number;
  force_fail?: boolean;
  simulate?: Simulation;
}

export const MAX_ORDER_BODY_BYTES = 64 * 1024;

export const orderRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['order_id', 'user_id', 'items', 'total'],
  properties: {
    order_id: { type: 'string', pattern: idPattern },
    user_id: { type: 'string', pattern: idPattern },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        oneOf: [
          { type: 'string', pattern: idPattern },
          {
            type: 'object',
            additionalProperties: false,
            required: ['sku', 'quantity'],
            properties: {
              sku: { type: 'string', pattern: idPattern },
              quantity: { type: 'integer', minimum: 1, maximum: 1000 },
            },
          },
        ],
      },
    },
    total: { type: 'number', minimum: 0 },
    force_fail: { type: 'boolean' },
    simulate: {
      type: 'object',
      additionalProperties: false,
      required: ['step', 'mode'],
      properties: {
        step: { enum: steps },
        mode: { enum: faultModes },
        times: { type: 'integer', minimum: 1, maximum: 1000 },
      },
    },
  },
} as const;

/** Merges repeated SKUs, keeping the order of first appearance. */
export function normalizeLines(items: OrderRequest['items']): OrderLine[] {
  const quantities = new Map<string, number>();
  for (const item of items) {
    const line = typeof item === 'string' ? { sku: item, quantity: 1 } : item;
    quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity);
  }
  return [...quantities].map(([sku, quantity]) => ({ sku, quantity }));
}
