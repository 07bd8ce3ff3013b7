/**
 * Per-order failure injection travels as a message header on the forward command of the
 * simulated step, never inside the business payload; workers honour it only while
 * FAULT_INJECTION is on.
 */
import { SIMULATE_HEADER } from '../sagas/contracts/headers';
import { Simulation } from '../sagas/contracts/order-request';
import { forwardCommandOf } from '../sagas/contracts/messages';
import { CommandIntent } from '../sagas/order/decide';

export function faultHeaders(
  simulation: Simulation | null,
  intent: CommandIntent,
): Record<string, string> {
  if (!simulation || forwardCommandOf[simulation.step] !== intent.type) return {};
  const { mode, times } = simulation;
  return { [SIMULATE_HEADER]: JSON.stringify(times === undefined ? { mode } : { mode, times }) };
}

/** `force_fail` is the original design's switch: payment fails technically, every time. */
export function simulationOf(request: {
  force_fail?: boolean;
  simulate?: Simulation;
}): Simulation | null {
  if (request.simulate) return request.simulate;
  return request.force_fail ? { step: 'payment', mode: 'error' } : null;
}
