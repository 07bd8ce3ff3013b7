/**
 * Per-order failure injection (the order's `simulate` field) travels in this header of the forward
 * command of the simulated step, as JSON `{"mode", "times"?}`: never in the business payload.
 */
export const SIMULATE_HEADER = 'x-simulate';
