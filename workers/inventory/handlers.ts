/**
 * Inventory: reserves an order's lines all together or not at all, and releases them. The
 * batch locks every stock row it touches (in SKU order, so concurrent batches cannot deadlock)
 * and decides in memory against the locked counts: stock can never be oversold, whatever the
 * concurrency, and the CHECK constraint on `stock` would refuse it anyway.
 */
import { Pipeline } from '../../lib/pipelined';
import { OrderLine } from '../../sagas/contracts/messages';
import { CommandHandler, PreparedCommand } from '../runtime/worker';
import { ReplyDraft } from '../runtime/replies';

type InventoryCommand = PreparedCommand['command'];
type Reserve = Extract<InventoryCommand, { type: 'inventory.reserve' }>;
type Release = Extract<InventoryCommand, { type: 'inventory.release' }>;

interface StockCount {
  available: number;
  reserved: number;
}

interface Reservation {
  order_id: string;
  saga_id: string;
  command_id: string;
  status: 'RESERVED' | 'RELEASED' | 'REJECTED';
  items: OrderLine[];
  reason: { code: string; message: string } | null;
}

export function inventoryHandler(): CommandHandler<void> {
  return {
    prepare: async () => undefined,
    async apply(tx, commands) {
      const orderIds = [...new Set(commands.map((c) => c.command.order_id))].sort();
      const skus = new Set<string>();
      for (const { command } of commands) {
        if (command.type === 'inventory.reserve')
          command.data.items.forEach((l) => skus.add(l.sku));
      }
      // Both locks leave together; the stock read takes a release's SKUs from the reservations
      // the first statement has just locked, so it sees them as they are.
      const [existing, stock] = await Promise.all([
        lockReservations(tx, orderIds),
        lockStock(tx, [...skus], orderIds),
      ]);
      const changed = new Map<string, Reservation>();
      const replies = commands.map(({ command }) => {
        if (command.type === 'inventory.reserve') return reserve(command, stock, existing, changed);
        if (command.type === 'inventory.release') return release(command, stock, existing, changed);
        throw new Error(`inventory cannot handle ${command.type}`);
      });
      // Sent with the reply records, as one statement, and the COMMIT.
      writeStock(tx, stock);
      writeReservations(tx, [...changed.values()]);
      return replies;
    },
  };
}

function reserve(
  command: Reserve,
  stock: Map<string, StockCount>,
  reservations: Map<string, Reservation>,
  changed: Map<string, Reservation>,
): ReplyDraft {
  const { command_id, items } = command.data;
  const prior = reservations.get(command.order_id);
  if (prior) return answerFromPrior(command_id, prior);
  const problem = shortage(items, stock);
  const reservation: Reservation = {
    order_id: command.order_id,
    saga_id: command.saga_id,
    command_id,
    status: problem ? 'REJECTED' : 'RESERVED',
    items,
    reason: problem,
  };
  reservations.set(command.order_id, reservation);
  changed.set(command.order_id, reservation);
  if (problem) return { type: 'inventory.rejected', data: { command_id, ...problem } };
  for (const line of items) {
    const count = stock.get(line.sku)!;
    count.available -= line.quantity;
    count.reserved += line.quantity;
  }
  return { type: 'inventory.reserved', data: { command_id } };
}

/** A reservation already decided for this order (e.g. released before a late reserve). */
function answerFromPrior(commandId: string, prior: Reservation): ReplyDraft {
  if (prior.status === 'RESERVED')
    return { type: 'inventory.reserved', data: { command_id: commandId } };
  const reason = prior.reason ?? { code: 'ALREADY_RELEASED', message: 'the order was released' };
  return { type: 'inventory.rejected', data: { command_id: commandId, ...reason } };
}

function shortage(items: OrderLine[], stock: Map<string, StockCount>) {
  for (const line of items) {
    const count = stock.get(line.sku);
    if (!count) return { code: 'UNKNOWN_SKU', message: `unknown SKU ${line.sku}` };
    if (count.available < line.quantity) {
      return {
        code: 'OUT_OF_STOCK',
        message: `${line.sku}: ${line.quantity} requested, ${count.available} available`,
      };
    }
  }
  return null;
}

function release(
  command: Release,
  stock: Map<string, StockCount>,
  reservations: Map<string, Reservation>,
  changed: Map<string, Reservation>,
): ReplyDraft {
  const { command_id } = command.data;
  const prior = reservations.get(command.order_id);
  if (prior?.status === 'RESERVED') {
    for (const line of prior.items) {
      const count = stock.get(line.sku)!;
      count.available += line.quantity;
      count.reserved -= line.quantity;
    }
  }
  // Without a reservation a tombstone is written, so a reserve arriving late cannot hold stock.
  const released: Reservation = prior
    ? { ...prior, status: prior.status === 'REJECTED' ? 'REJECTED' : 'RELEASED' }
    : {
        order_id: command.order_id,
        saga_id: command.saga_id,
        command_id,
        status: 'RELEASED',
        items: [],
        reason: null,
      };
  reservations.set(command.order_id, released);
  changed.set(command.order_id, released);
  return {
    type: 'inventory.released',
    data: { command_id, released: prior?.status === 'RESERVED' },
  };
}

async function lockReservations(tx: Pipeline, orderIds: string[]) {
  const { rows } = await tx.query<Reservation>(
    `SELECT order_id, saga_id, command_id, status, items, reason FROM reservations
     WHERE order_id = ANY($1) ORDER BY order_id FOR UPDATE`,
    [orderIds],
  );
  return new Map(rows.map((row) => [row.order_id, row]));
}

/** Locks the stock of the SKUs to reserve and of the orders' existing reservations. */
async function lockStock(
  tx: Pipeline,
  skus: string[],
  orderIds: string[],
): Promise<Map<string, StockCount>> {
  const { rows } = await tx.query<StockCount & { sku: string }>(
    `SELECT sku, available, reserved FROM stock
     WHERE sku = ANY($1) OR sku IN (
       SELECT line ->> 'sku' FROM reservations, jsonb_array_elements(items) AS line
       WHERE order_id = ANY($2))
     ORDER BY sku FOR UPDATE`,
    [skus, orderIds],
  );
  return new Map(rows.map(({ sku, available, reserved }) => [sku, { available, reserved }]));
}

function writeStock(tx: Pipeline, stock: Map<string, StockCount>): void {
  if (stock.size === 0) return;
  const rows = [...stock].map(([sku, count]) => ({ sku, ...count }));
  tx.write(
    `UPDATE stock AS s SET available = r.available, reserved = r.reserved, updated_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS r(sku text, available int, reserved int)
     WHERE s.sku = r.sku AND (s.available, s.reserved) IS DISTINCT FROM (r.available, r.reserved)`,
    [JSON.stringify(rows)],
  );
}

function writeReservations(tx: Pipeline, rows: Reservation[]): void {
  if (rows.length === 0) return;
  tx.write(
    `INSERT INTO reservations (order_id, saga_id, command_id, status, items, reason)
     SELECT order_id, saga_id, command_id, status, items, reason
     FROM jsonb_to_recordset($1::jsonb)
       AS r(order_id text, saga_id uuid, command_id text, status text, items jsonb, reason jsonb)
     ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, updated_at = now()`,
    [JSON.stringify(rows)],
  );
}
