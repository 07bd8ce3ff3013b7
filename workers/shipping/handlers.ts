/**
 * Shipping: creates a shipment with a tracking number, or cancels the order's shipments.
 * A parcel over the carrier's size limit is a business rejection, not a technical failure;
 * it is recorded as a REJECTED shipment with its reason and no tracking number, which no
 * cancel touches and no count of live shipments includes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Pipeline } from '../../lib/pipelined';
import { CommandHandler, PreparedCommand } from '../runtime/worker';
import { ReplyDraft } from '../runtime/replies';

export const MAX_PARCEL_UNITS = 1000;

export function shippingHandler(): CommandHandler<void> {
  return {
    prepare: async () => undefined,
    async apply(tx, commands) {
      const replies: ReplyDraft[] = [];
      const shipments: ShipmentRow[] = [];
      for (const { command } of commands) {
        if (command.type === 'shipping.create') replies.push(planShipment(command, shipments));
        else if (command.type === 'shipping.cancel')
          replies.push(await cancelShipments(tx, command));
        else throw new Error(`shipping cannot handle ${command.type}`);
      }
      // One multi-row insert for the whole batch, written with the reply records.
      if (shipments.length > 0) {
        tx.write(
          `INSERT INTO shipments (shipment_id, order_id, saga_id, command_id, tracking_number,
                                  status, reason)
           SELECT * FROM jsonb_to_recordset($1::jsonb)
             AS r(shipment_id text, order_id text, saga_id uuid, command_id text,
                  tracking_number text, status text, reason jsonb)`,
          [JSON.stringify(shipments)],
        );
      }
      return replies;
    },
  };
}

type ShippingCommand<T> = Extract<PreparedCommand['command'], { type: T }>;

type ShipmentRow = {
  shipment_id: string;
  order_id: string;
  saga_id: string;
  command_id: string;
} & (
  | { status: 'CREATED'; tracking_number: string }
  | { status: 'REJECTED'; tracking_number: null; reason: { code: string; message: string } }
);

function planShipment(
  command: ShippingCommand<'shipping.create'>,
  shipments: ShipmentRow[],
): ReplyDraft {
  const { command_id, items } = command.data;
  const ids = {
    shipment_id: randomUUID(),
    order_id: command.order_id,
    saga_id: command.saga_id,
    command_id,
  };
  const units = items.reduce((sum, line) => sum + line.quantity, 0);
  if (units > MAX_PARCEL_UNITS) {
    const reason = {
      code: 'PARCEL_TOO_LARGE',
      message: `${units} units exceed ${MAX_PARCEL_UNITS}`,
    };
    shipments.push({ ...ids, status: 'REJECTED', tracking_number: null, reason });
    return { type: 'shipping.rejected', data: { command_id, ...reason } };
  }
  const tracking_number = `TRK${randomBytes(6).toString('hex').toUpperCase()}`;
  shipments.push({ ...ids, status: 'CREATED', tracking_number });
  return {
    type: 'shipping.ready',
    data: { command_id, shipment_id: ids.shipment_id, tracking_number },
  };
}

async function cancelShipments(
  tx: Pipeline,
  command: ShippingCommand<'shipping.cancel'>,
): Promise<ReplyDraft> {
  const { rowCount } = await tx.query(
    `UPDATE shipments SET status = 'CANCELLED', updated_at = now()
     WHERE order_id = $1 AND status = 'CREATED'`,
    [command.order_id],
  );
  const cancelled = rowCount ?? 0;
  return { type: 'shipping.cancelled', data: { command_id: command.data.command_id, cancelled } };
}
