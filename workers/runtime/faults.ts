/**
 * Failure injection at the worker's seam (the order's `simulate` field and `force_fail`). The coordinator
 * puts the instruction in a header of the forward command; here each delivery of that command
 * is counted durably and, while the count is within `times`, the chosen failure happens
 * instead of the work. Off unless FAULT_INJECTION is on; free for messages without the header.
 */
import type { ConsumeMessage } from 'amqplib';
import { Database } from '../../lib/db';
import { SIMULATE_HEADER } from '../../sagas/contracts/headers';
import { Command, CommandType } from '../../sagas/contracts/messages';
import { FaultMode, faultModes } from '../../sagas/contracts/order-request';
import { ReplyDraft } from './replies';

export interface Simulation {
  mode: FaultMode;
  times?: number;
}

export function simulationIn(message: ConsumeMessage): Simulation | undefined {
  const raw = message.properties.headers?.[SIMULATE_HEADER] as unknown;
  if (typeof raw !== 'string' && !Buffer.isBuffer(raw)) return undefined;
  try {
    const value = JSON.parse(raw.toString()) as Partial<Simulation>;
    if (!value.mode || !faultModes.includes(value.mode)) return undefined;
    const times = Number.isInteger(value.times) && value.times! > 0 ? value.times : undefined;
    return times === undefined ? { mode: value.mode } : { mode: value.mode, times };
  } catch {
    return undefined;
  }
}

/** Counts this delivery and returns the failure to inject now, if any. */
export async function faultForDelivery(
  db: Database,
  command: Command,
  simulation: Simulation,
): Promise<FaultMode | undefined> {
  const { rows } = await db.raw<{ rows: Array<{ deliveries: number }> }>(
    `INSERT INTO fault_deliveries (command_id, deliveries) VALUES (?, 1)
     ON CONFLICT (command_id)
     DO UPDATE SET deliveries = fault_deliveries.deliveries + 1, updated_at = now()
     RETURNING deliveries`,
    [command.data.command_id],
  );
  const deliveries = rows[0]!.deliveries;
  return simulation.times === undefined || deliveries <= simulation.times
    ? simulation.mode
    : undefined;
}

const declines: Partial<Record<CommandType, ReplyDraft['type']>> = {
  'risk.assess': 'risk.rejected',
  'payment.authorize': 'payment.declined',
  'inventory.reserve': 'inventory.rejected',
  'shipping.create': 'shipping.rejected',
};

/** The business failure a `decline` produces: the step's own failure reply. */
export function simulatedDecline(command: Command): ReplyDraft {
  const type = declines[command.type];
  if (!type) throw new Error(`${command.type} has no business failure to simulate`);
  return {
    type,
    data: {
      command_id: command.data.command_id,
      code: 'SIMULATED_DECLINE',
      message: 'declined by failure injection',
      // A fraud check's rejection carries its score; a simulated one scores the maximum.
      ...(type === 'risk.rejected' ? { score: 100 } : {}),
    },
  } as ReplyDraft;
}

export class SimulatedFailure extends Error {
  readonly code = 'SIMULATED_ERROR';
  constructor() {
    super('technical failure injected for this order (simulate or force_fail)');
    this.name = 'SimulatedFailure';
  }
}
