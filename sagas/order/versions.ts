/**
 * Saga definitions by persisted version. A saga keeps the version it started with; a new
 * definition gets a new number and the old one stays here until no stored saga uses it.
 */
import { orderSagaMachine, OrderSagaMachine } from './machine';

export const CURRENT_VERSION = 1;

const machines: ReadonlyMap<number, OrderSagaMachine> = new Map([[1, orderSagaMachine]]);

export class UnknownSagaVersionError extends Error {
  constructor(readonly version: number) {
    super(`no order saga definition is registered for version ${version}`);
    this.name = 'UnknownSagaVersionError';
  }
}

export function machineForVersion(version: number): OrderSagaMachine {
  const machine = machines.get(version);
  if (!machine) throw new UnknownSagaVersionError(version);
  return machine;
}
