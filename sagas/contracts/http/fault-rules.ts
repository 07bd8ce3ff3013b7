/** Requests of the fault-rule admin API: POST, GET and DELETE /admin/faults. */
import { faultRuleProperties } from '../fault-rules';
import { querySchema, uuidSchema } from './common';

const { target, mode, probability, latency_ms, count, ttl_seconds } = faultRuleProperties;

export const faultRuleRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['target', 'mode', 'probability'],
  description: 'A runtime failure-injection rule for one worker (needs FAULT_INJECTION=on)',
  examples: [{ target: 'payment', mode: 'error', probability: 0.2, ttl_seconds: 60 }],
  properties: {
    target: { ...target, description: 'The worker the rule applies to' },
    mode: { ...mode, description: 'What the worker does to a command the rule hits' },
    probability: { ...probability, description: 'Chance that a command is hit' },
    latency_ms: {
      ...latency_ms,
      description: 'Delay added by a latency rule (required for mode latency)',
    },
    count: { ...count, description: 'Commands the rule may hit; absent means unlimited' },
    ttl_seconds: {
      ...ttl_seconds,
      description: 'Lifetime of the rule in seconds; absent means until removed',
    },
  },
  if: { properties: { mode: { const: 'latency' } } },
  then: { required: ['latency_ms'] },
} as const;

export const faultListQuerySchema = querySchema({});

export const faultDeleteQuerySchema = querySchema({
  id: uuidSchema('The rule to remove; absent removes every rule'),
});

export interface FaultDeleteQuery {
  id?: string;
}
