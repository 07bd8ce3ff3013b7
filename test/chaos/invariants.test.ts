import { expect } from 'chai';
import { OrderEvidence, StockEvidence, checkInvariants } from './invariants';

const completedTimeline = [
  'SAGA_STARTED',
  'COMMAND_SENT:payment:payment.authorize',
  'REPLY_RECEIVED:payment',
  'STEP_SUCCEEDED:payment',
  'COMMAND_SENT:inventory:inventory.reserve',
  'REPLY_RECEIVED:inventory',
  'STEP_SUCCEEDED:inventory',
  'COMMAND_SENT:shipping:shipping.create',
  'REPLY_RECEIVED:shipping',
  'STEP_SUCCEEDED:shipping',
  'SAGA_COMPLETED',
].map((text, i) => {
  const [type, step, command] = text.split(':');
  return { seq: i + 1, type: type!, ...(step ? { step } : {}), ...(command ? { command } : {}) };
});

const completed = (overrides: Partial<OrderEvidence> = {}): OrderEvidence => ({
  order_id: 'o-1',
  status: 'COMPLETED',
  lines: [{ sku: 'Book', quantity: 2 }],
  timeline: completedTimeline,
  authorizations: [{ status: 'AUTHORIZED' }],
  reservation: { status: 'RESERVED', items: [{ sku: 'Book', quantity: 2 }] },
  shipments: [{ status: 'CREATED' }],
  ...overrides,
});
const books = (after: { available: number; reserved: number }): StockEvidence[] => [
  { sku: 'Book', before: { available: 10, reserved: 0 }, after },
];
const invariantsOf = (orders: OrderEvidence[], stock: StockEvidence[]) =>
  checkInvariants(orders, stock).map((v) => v.invariant);

describe('chaos invariant checker', () => {
  it('given a clean completed order and conserved stock, when checked, then there is no violation', () => {
    expect(checkInvariants([completed()], books({ available: 8, reserved: 2 }))).to.deep.equal([]);
  });

  it('given an order the API no longer knows, when checked, then invariant 1 (lost) fails', () => {
    expect(invariantsOf([completed({ status: undefined })], [])).to.deep.equal([1]);
  });

  it('given a completed order with a double authorization, when checked, then invariants 2 and 5 fail', () => {
    const doubled = completed({
      authorizations: [{ status: 'AUTHORIZED' }, { status: 'AUTHORIZED' }],
    });
    expect(invariantsOf([doubled], books({ available: 8, reserved: 2 }))).to.have.members([2, 5]);
  });

  it('given a cancelled order whose reservation leaked, when checked, then invariant 3 fails', () => {
    const leaked = completed({
      status: 'CANCELLED',
      timeline: [...completedTimeline.slice(0, 7), { seq: 8, type: 'SAGA_CANCELLED' }],
      authorizations: [{ status: 'VOIDED' }],
      shipments: [],
    });
    expect(invariantsOf([leaked], books({ available: 8, reserved: 2 }))).to.include(3);
  });

  it('given stock that changed in total, when checked, then invariant 4 fails', () => {
    expect(invariantsOf([completed()], books({ available: 9, reserved: 2 }))).to.include(4);
  });

  it('given reserved stock no held reservation accounts for, when checked, then invariant 4 fails', () => {
    const cancelled = completed({
      status: 'CANCELLED',
      timeline: [
        { seq: 1, type: 'SAGA_STARTED' },
        { seq: 2, type: 'SAGA_CANCELLED' },
      ],
      authorizations: [],
      reservation: { status: 'RELEASED', items: [{ sku: 'Book', quantity: 2 }] },
      shipments: [],
    });
    expect(invariantsOf([cancelled], books({ available: 8, reserved: 2 }))).to.deep.equal([4]);
  });

  it('given two shipments for one order, when checked, then invariant 5 fails', () => {
    const twice = completed({ shipments: [{ status: 'CREATED' }, { status: 'CANCELLED' }] });
    expect(invariantsOf([twice], books({ available: 8, reserved: 2 }))).to.deep.equal([5]);
  });

  it('given a declined payment attempt and a rejected shipment beside the live ones, when checked, then neither counts as an effect', () => {
    const withRecords = completed({
      authorizations: [{ status: 'DECLINED' }, { status: 'AUTHORIZED' }],
      shipments: [{ status: 'REJECTED' }, { status: 'CREATED' }],
    });
    expect(checkInvariants([withRecords], books({ available: 8, reserved: 2 }))).to.deep.equal([]);
  });

  it('given a timeline with a gap, a second compensation or a compensated step never attempted, when checked, then invariant 6 fails', () => {
    const gap = completed({
      timeline: completedTimeline.map((e, i) => (i === 3 ? { ...e, seq: 9 } : e)),
    });
    const compensations = completed({
      status: 'CANCELLED',
      authorizations: [{ status: 'VOIDED' }],
      reservation: { status: 'RELEASED', items: [] },
      shipments: [],
      timeline: [
        { seq: 1, type: 'SAGA_STARTED' },
        { seq: 2, type: 'COMPENSATION_STARTED' },
        { seq: 3, type: 'COMPENSATION_STARTED' },
        { seq: 4, type: 'COMPENSATED', step: 'shipping' },
        { seq: 5, type: 'SAGA_CANCELLED' },
      ],
    });
    const violations = checkInvariants([gap, compensations], []);
    expect(violations.every((v) => v.invariant === 6)).to.equal(true);
    expect(violations.map((v) => v.detail)).to.include.members([
      'event 4 has seq 9',
      'compensation started twice',
      'compensated shipping that was never attempted',
    ]);
  });

  it('given an order still in flight after quiescence, when checked, then invariant 1 fails', () => {
    expect(
      invariantsOf(
        [completed({ status: 'PAYMENT_AUTHORIZED' })],
        books({ available: 8, reserved: 2 }),
      ),
    ).to.include(1);
  });

  it('given a completed order with a retry notice recorded late after SAGA_COMPLETED, when checked, then there is no violation', () => {
    const late = completed({
      timeline: [
        ...completedTimeline,
        {
          seq: 12,
          type: 'RETRY_SCHEDULED',
          step: 'shipping',
          command: 'shipping.create',
          late: true,
        },
      ],
    });
    expect(checkInvariants([late], books({ available: 8, reserved: 2 }))).to.deep.equal([]);
  });

  it('given the same entry after SAGA_COMPLETED without the late mark, when checked, then invariant 6 fails: the saga moved after it ended', () => {
    const moved = completed({
      timeline: [
        ...completedTimeline,
        { seq: 12, type: 'RETRY_SCHEDULED', step: 'shipping', command: 'shipping.create' },
      ],
    });
    const violations = checkInvariants([moved], books({ available: 8, reserved: 2 }));
    expect(violations.map((v) => [v.invariant, v.detail])).to.deep.equal([
      [6, 'has events after it ended'],
    ]);
  });

  it('given late entries, when checked, then they still count in the sequence: a gap at a late entry fails invariant 6', () => {
    const gap = completed({
      timeline: [
        ...completedTimeline,
        { seq: 13, type: 'REPLY_RECEIVED', step: 'shipping', late: true },
      ],
    });
    expect(
      checkInvariants([gap], books({ available: 8, reserved: 2 })).map((v) => v.detail),
    ).to.deep.equal(['event 12 has seq 13']);
  });
});
