/**
 * Saga definitions by persisted version. A saga keeps the version it started with; a new
 * definition gets a new number and the old one stays here until no stored saga uses it
 * (`npm run saga:check` tells whether any does).
 */
import { AnyStateMachine } from 'xstate';
import { Step } from '../contracts/envelope';
import { StateView } from './status';
import { orderSagaMachine as machineV1 } from './v1/machine';
import { views as viewsV1 } from './v1/views';
import { orderSagaMachine as machineV2 } from './v2/machine';
import { views as viewsV2 } from './v2/views';

export interface SagaDefinition {
  version: number;
  machine: AnyStateMachine;
  /** Every state of the definition, with the status and step a client sees in it. */
  views: Readonly<Record<string, StateView>>;
  /** The steps the definition runs, in order. */
  steps: readonly Step[];
}

const definitions: ReadonlyMap<number, SagaDefinition> = new Map(
  [
    { version: 1, machine: machineV1, views: viewsV1, steps: ['payment', 'inventory', 'shipping'] },
    {
      version: 2,
      machine: machineV2,
      views: viewsV2,
      steps: ['risk', 'payment', 'inventory', 'shipping'],
    },
  ].map((definition): [number, SagaDefinition] => [
    definition.version,
    definition as SagaDefinition,
  ]),
);

/** The newest definition: what new sagas start on unless a deploy says otherwise. */
export const LATEST_VERSION = Math.max(...definitions.keys());

export class UnknownSagaVersionError extends Error {
  constructor(readonly version: number) {
    super(`no order saga definition is registered for version ${version}`);
    this.name = 'UnknownSagaVersionError';
  }
}

export function registeredVersions(): number[] {
  return [...definitions.keys()].sort((a, b) => a - b);
}

export function isRegistered(version: number): boolean {
  return definitions.has(version);
}

export function definitionOf(version: number): SagaDefinition {
  const definition = definitions.get(version);
  if (!definition) throw new UnknownSagaVersionError(version);
  return definition;
}

export function machineForVersion(version: number): AnyStateMachine {
  return definitionOf(version).machine;
}

/** What a client sees in `state` of a definition; a state the definition lacks is a bug. */
export function viewOf(version: number, state: string): StateView {
  const view = definitionOf(version).views[state];
  if (!view) throw new Error(`state ${state} of version ${version} has no order status`);
  return view;
}
