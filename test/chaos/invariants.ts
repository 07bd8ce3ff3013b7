import { Step } from '../../sagas/contracts/envelope';
import { forwardCommandOf } from '../../sagas/contracts/messages';

/**
 * The system's invariants (no lost order, no duplicated effect, every effect of a cancelled
 * order undone), checked over everything a chaos run submitted. Pure: it takes
 * what the public APIs said about each order and returns every violation it finds.
 */

export interface OrderEvidence {
  order_id: string;
  /** Undefined when the order API does not know the order: it was lost. */
  status?: string;
  lines: Array<{ sku: string; quantity: number }>;
  /** `late`: an event the state no longer accepted, recorded without changing anything. */
  timeline: Array<{ seq: number; type: string; step?: string; command?: string; late?: boolean }>;
  authorizations: Array<{ status: string }>;
  reservation?: { status: string; items: Array<{ sku: string; quantity: number }> };
  shipments: Array<{ status: string }>;
}

export interface StockEvidence {
  sku: string;
  before: { available: number; reserved: number };
  after: { available: number; reserved: number };
}

export interface Violation {
  invariant: number;
  order_id?: string;
  sku?: string;
  detail: string;
}

const ended = ['COMPLETED', 'CANCELLED', 'STUCK'];
/**
 * Records of business failures: a payment the provider declined, a shipment the carrier
 * refused. The workers keep them for operators, but they never took effect, so no invariant
 * counts them.
 */
const neverTookEffect = ['DECLINED', 'REJECTED'];
const effects = <T extends { status: string }>(records: T[]): T[] =>
  records.filter((r) => !neverTookEffect.includes(r.status));

export function checkInvariants(orders: OrderEvidence[], stock: StockEvidence[]): Violation[] {
  return [
    ...orders.flatMap(checkOrder),
    ...stock.flatMap(checkStock),
    ...checkReservedTotals(orders, stock),
  ];
}

function checkOrder(order: OrderEvidence): Violation[] {
  const v = (invariant: number, detail: string): Violation => ({
    invariant,
    order_id: order.order_id,
    detail,
  });
  const found: Violation[] = [];
  if (!order.status) return [v(1, 'accepted but unknown to the order API (lost)')];
  if (!ended.includes(order.status))
    found.push(v(1, `still ${order.status}: neither ended nor listed as STUCK`));
  const live = order.authorizations.filter((a) => a.status === 'AUTHORIZED').length;
  const liveShipments = order.shipments.filter((s) => s.status === 'CREATED').length;
  const reserved = order.reservation?.status === 'RESERVED';
  if (order.status === 'COMPLETED') {
    if (live !== 1) found.push(v(2, `COMPLETED with ${live} live authorizations`));
    if (!reserved)
      found.push(
        v(2, `COMPLETED without a held reservation (${order.reservation?.status ?? 'none'})`),
      );
    if (liveShipments !== 1) found.push(v(2, `COMPLETED with ${liveShipments} live shipments`));
  }
  if (order.status === 'CANCELLED') {
    if (live > 0) found.push(v(3, `CANCELLED with ${live} live authorizations`));
    if (reserved) found.push(v(3, 'CANCELLED but its reservation is still held'));
    if (liveShipments > 0) found.push(v(3, `CANCELLED with ${liveShipments} live shipments`));
  }
  const authorizations = effects(order.authorizations).length;
  const shipments = effects(order.shipments).length;
  if (authorizations > 1) found.push(v(5, `${authorizations} authorizations for one order`));
  if (shipments > 1) found.push(v(5, `${shipments} shipments for one order`));
  return [...found, ...checkTimeline(order).map((detail) => v(6, detail))];
}

/** The timeline is ordered and tells a story the saga definition allows. */
export function checkTimeline(order: OrderEvidence): string[] {
  const problems: string[] = [];
  order.timeline.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push(`event ${i + 1} has seq ${e.seq}`);
  });
  // A late entry records what arrived and changed nothing: it is not a transition.
  const events = order.timeline.filter((e) => e.late !== true);
  const types = events.map((e) => e.type);
  if (types[0] !== 'SAGA_STARTED') problems.push('does not start with SAGA_STARTED');
  const terminal = types.filter((t) => t === 'SAGA_COMPLETED' || t === 'SAGA_CANCELLED');
  if (terminal.length > 1) problems.push('ends more than once');
  if (
    terminal.length === 1 &&
    !['SAGA_COMPLETED', 'SAGA_CANCELLED'].includes(types[types.length - 1]!)
  ) {
    problems.push('has events after it ended');
  }
  const expectedEnd = { COMPLETED: 'SAGA_COMPLETED', CANCELLED: 'SAGA_CANCELLED' }[
    order.status ?? ''
  ];
  if (expectedEnd && terminal[0] !== expectedEnd)
    problems.push(`status ${order.status} but timeline ends ${terminal[0] ?? 'nowhere'}`);
  if (types.filter((t) => t === 'COMPENSATION_STARTED').length > 1)
    problems.push('compensation started twice');
  if (types.includes('SAGA_COMPLETED') && types.includes('COMPENSATION_STARTED'))
    problems.push('completed after compensating');
  const succeeded = events.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step);
  // Version 2 of the saga runs its fraud check first; version 1 starts at payment.
  const order_ = events.some((e) => e.step === 'risk')
    ? ['risk', 'payment', 'inventory', 'shipping']
    : ['payment', 'inventory', 'shipping'];
  if (succeeded.join() !== order_.slice(0, succeeded.length).join())
    problems.push(`steps succeeded out of order: ${succeeded.join(', ')}`);
  for (const e of events.filter((x) => x.type === 'COMPENSATED')) {
    const sent = events.some(
      (x) =>
        x.seq < e.seq &&
        x.type === 'COMMAND_SENT' &&
        x.command === forwardCommandOf[e.step as Step],
    );
    if (!sent) problems.push(`compensated ${e.step ?? '?'} that was never attempted`);
  }
  return problems;
}

function checkStock(item: StockEvidence): Violation[] {
  const found: Violation[] = [];
  const total = (s: { available: number; reserved: number }) => s.available + s.reserved;
  if (total(item.before) !== total(item.after)) {
    found.push({
      invariant: 4,
      sku: item.sku,
      detail: `stock not conserved: ${total(item.before)} before, ${total(item.after)} after`,
    });
  }
  if (item.after.available < 0)
    found.push({ invariant: 4, sku: item.sku, detail: `available ${item.after.available} < 0` });
  return found;
}

/** What is reserved must be exactly what the held reservations of these orders account for. */
function checkReservedTotals(orders: OrderEvidence[], stock: StockEvidence[]): Violation[] {
  const held = new Map<string, number>();
  for (const order of orders) {
    if (order.reservation?.status !== 'RESERVED') continue;
    for (const line of order.reservation.items)
      held.set(line.sku, (held.get(line.sku) ?? 0) + line.quantity);
  }
  return stock.flatMap((item) => {
    const expected = item.before.reserved + (held.get(item.sku) ?? 0);
    return item.after.reserved === expected
      ? []
      : [
          {
            invariant: 4,
            sku: item.sku,
            detail: `reserved ${item.after.reserved}, held reservations account for ${expected}`,
          },
        ];
  });
}
