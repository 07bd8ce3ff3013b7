/**
 * The envelope every message carries, and the JSON Schema both sides check it with.
 * Command and reply payloads live in `data`; their schemas are in messages.ts.
 */

/**
 * The steps of the order saga, in the order a saga runs them. `risk` (the fraud check) exists
 * from version 2 of the definition on; it is handled by the payment worker.
 */
export const steps = ['risk', 'payment', 'inventory', 'shipping'] as const;
export type Step = (typeof steps)[number];

export interface Envelope<TType extends string = string, TData = unknown> {
  message_id: string;
  type: TType;
  saga_id: string;
  order_id: string;
  step: Step;
  attempt: number;
  correlation_id: string;
  causation_id: string | null;
  occurred_at: string;
  data: TData;
}

export const idPattern = '^[A-Za-z0-9._:-]{1,64}$';

export const envelopeProperties = {
  message_id: { type: 'string', minLength: 1, maxLength: 128 },
  saga_id: { type: 'string', format: 'uuid' },
  order_id: { type: 'string', pattern: idPattern },
  step: { enum: steps },
  attempt: { type: 'integer', minimum: 1, maximum: 1000 },
  correlation_id: { type: 'string', minLength: 1, maxLength: 128 },
  causation_id: { type: ['string', 'null'], maxLength: 128 },
  occurred_at: { type: 'string', format: 'date-time' },
} as const;

export const envelopeRequired = [
  'message_id',
  'type',
  'saga_id',
  'order_id',
  'step',
  'attempt',
  'correlation_id',
  'causation_id',
  'occurred_at',
  'data',
] as const;
