/**
 * What clients see: the order status and the step in progress, both derived from the
 * saga's state so they can never disagree with it.
 */
import { Step } from '../contracts/envelope';

export const orderStatuses = [
  'PENDING',
  'PAYMENT_AUTHORIZED',
  'INVENTORY_RESERVED',
  'COMPLETED',
  'COMPENSATING',
  'CANCELLED',
  'STUCK',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const terminalStatuses: readonly OrderStatus[] = ['COMPLETED', 'CANCELLED'];

/** What a client waiting for an order's outcome waits for: an end, or an operator's attention. */
export const settledStatuses: readonly OrderStatus[] = [...terminalStatuses, 'STUCK'];

/** What a client sees while a saga is in one state of its definition. */
export interface StateView {
  status: OrderStatus;
  step: Step | null;
}

/** The dotted name of a (possibly nested) state value: `{compensating: 'voidingPayment'}`. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [entry] = Object.entries(value as Record<string, unknown>);
  if (!entry) throw new Error('empty state value');
  return `${entry[0]}.${stateName(entry[1])}`;
}
