/** The breakers on /metrics: each step's state, its held commands, and every change. */
import { Counter, Gauge, Registry } from 'prom-client';
import { Database } from '../../lib/db';
import { commandQueueOf } from '../../lib/messaging/topology';
import { steps } from '../../sagas/contracts/envelope';
import { heldCounts } from '../repositories/step-breakers';
import { breakerStates } from './policy';
import { StepBreakers } from './step-breakers';

export function registerBreakerMetrics(
  registry: Registry,
  db: Database,
  breakers: StepBreakers,
): Counter<'step' | 'state'> {
  new Gauge({
    name: 'order_saga_step_breaker_state',
    help: "Circuit breaker state per step (1 for the step's current state, 0 for the others)",
    labelNames: ['step', 'state'],
    registers: [registry],
    collect() {
      for (const step of steps) {
        const current = breakers.stateOf(step);
        for (const state of breakerStates) this.set({ step, state }, state === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'order_saga_step_held_commands',
    help: 'Commands held in the outbox while their step is paused',
    labelNames: ['step'],
    registers: [registry],
    async collect() {
      const held = breakers.heldSteps();
      const counts =
        held.length > 0
          ? await heldCounts(
              db,
              held.map((s) => commandQueueOf(s)),
            )
          : new Map();
      for (const step of steps)
        this.set({ step }, held.includes(step) ? (counts.get(commandQueueOf(step)) ?? 0) : 0);
    },
  });
  return new Counter({
    name: 'order_saga_step_breaker_changes_total',
    help: 'Circuit breaker state changes per step and state entered',
    labelNames: ['step', 'state'],
    registers: [registry],
  });
}
