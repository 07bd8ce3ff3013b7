/**
 * Runtime failure-injection rules (`/admin/faults`): set by operators on the
 * coordinator, broadcast to the workers over the control exchange as the whole current set.
 */
import { Step, steps } from './envelope';

export const ruleModes = ['error', 'decline', 'timeout', 'crash', 'latency'] as const;
export type RuleMode = (typeof ruleModes)[number];

export interface FaultRuleRequest {
  target: Step;
  mode: RuleMode;
  probability: number;
  latency_ms?: number;
  count?: number;
  ttl_seconds?: number;
}

export interface FaultRule extends FaultRuleRequest {
  id: string;
  created_at: string;
  expires_at: string | null;
}

export interface FaultRuleSet {
  type: 'fault_rules';
  issued_at: string;
  rules: FaultRule[];
}

/** The fields of a rule and their bounds; the admin API's request schema describes them. */
export const faultRuleProperties = {
  target: { enum: steps },
  mode: { enum: ruleModes },
  probability: { type: 'number', minimum: 0, maximum: 1 },
  latency_ms: { type: 'integer', minimum: 0, maximum: 600_000 },
  count: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  ttl_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 },
} as const;

export const faultRuleSetSchema = {
  type: 'object',
  required: ['type', 'issued_at', 'rules'],
  properties: {
    type: { const: 'fault_rules' },
    issued_at: { type: 'string' },
    rules: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'target', 'mode', 'probability', 'created_at', 'expires_at'],
        properties: {
          ...faultRuleProperties,
          id: { type: 'string' },
          created_at: { type: 'string' },
          expires_at: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;
