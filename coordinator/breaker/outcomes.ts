/**
 * What an event heard from a worker says about its step's health: a retry notice or a dead
 * letter is a technical failure; any reply, a business refusal included, is a success (the
 * worker and what it calls answered). Timers and operators say nothing about it.
 */
import { Step } from '../../sagas/contracts/envelope';
import { commandStep, replyTypes } from '../../sagas/contracts/messages';
import { OrderSagaEvent } from '../../sagas/order/machine';
import { StepOutcome } from './policy';

export interface ObservedOutcome {
  step: Step;
  outcome: StepOutcome;
}

/** What the consumers tell the breakers; StepBreakers is one. */
export interface BreakerHooks {
  observe(outcomes: readonly ObservedOutcome[]): Promise<void>;
  isHeld(step: Step): boolean;
}

export function outcomeOf(event: OrderSagaEvent): ObservedOutcome | undefined {
  if (event.type === 'command.retry_scheduled' || event.type === 'command.dead_lettered') {
    // A message that can never be processed is its own fault, not its step's.
    if (event.data.code === 'POISON') return undefined;
    return { step: commandStep[event.data.command], outcome: 'failure' };
  }
  if ((replyTypes as readonly string[]).includes(event.type))
    return { step: event.type.slice(0, event.type.indexOf('.')) as Step, outcome: 'success' };
  return undefined;
}

export function outcomesOf(events: ReadonlyArray<{ event: OrderSagaEvent }>): ObservedOutcome[] {
  return events.flatMap(({ event }) => {
    const outcome = outcomeOf(event);
    return outcome ? [outcome] : [];
  });
}
