/**
 * An order as the client submits it (POST /orders). Its JSON Schema is in `http/orders.ts`;
 * `normalizeLines` folds the original design's plain SKU strings into quantities per SKU.
 */
import { Step } from './envelope';
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

/** Merges repeated SKUs, keeping the order of first appearance. */
export function normalizeLines(items: OrderRequest['items']): OrderLine[] {
  const quantities = new Map<string, number>();
  for (const item of items) {
    const line = typeof item === 'string' ? { sku: item, quantity: 1 } : item;
    quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity);
  }
  return [...quantities].map(([sku, quantity]) => ({ sku, quantity }));
}
