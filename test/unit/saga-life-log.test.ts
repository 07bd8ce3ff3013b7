import { expect } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import { commandIdOf } from '../../sagas/contracts/messages';
import { Decision, decide, startSaga } from '../../sagas/order/decide';
import { OrderSagaEvent } from '../../sagas/order/machine';
import { acceptedLine, lifeLines, sagaLifeLog } from '../../coordinator/saga-life-log';

const sagaId = '6f1c1a52-1f0e-4a55-9d0b-0d9cbd1f3b11';
const orderId = 'order-77';
const createdAt = new Date('2026-11-30T10:00:00.000Z');
const now = new Date('2026-11-30T10:00:01.250Z');
const ids = { saga_id: sagaId, order_id: orderId, correlation_id: sagaId };

const events = {
  authorized: {
    type: 'payment.authorized',
    data: { command_id: commandIdOf(sagaId, 'payment.authorize'), authorization_id: 'auth-1' },
  },
  declined: {
    type: 'payment.declined',
    data: {
      command_id: commandIdOf(sagaId, 'payment.authorize'),
      code: 'AMOUNT_LIMIT',
      message: 'above the limit',
    },
  },
  reserved: {
    type: 'inventory.reserved',
    data: { command_id: commandIdOf(sagaId, 'inventory.reserve') },
  },
  ready: {
    type: 'shipping.ready',
    data: {
      command_id: commandIdOf(sagaId, 'shipping.create'),
      shipment_id: 'ship-1',
      tracking_number: 'TRK-1',
    },
  },
  deadLettered: {
    type: 'command.dead_lettered',
    data: {
      command_id: commandIdOf(sagaId, 'payment.authorize'),
      command: 'payment.authorize',
      attempts: 3,
      code: 'PROVIDER_UNAVAILABLE',
      message: 'provider answered 503',
    },
  },
  replay: { type: 'operator.replay', data: { actor: 'ops', reason: 'provider fixed' } },
  cancel: { type: 'operator.cancel', data: { actor: 'ops', reason: 'customer called' } },
  voided: {
    type: 'payment.voided',
    data: { command_id: commandIdOf(sagaId, 'payment.void'), voided: 0 },
  },
} satisfies Record<string, OrderSagaEvent>;

/** The decisions the saga makes for `path`, from its start; each one applied to the last. */
function decisions(...path: OrderSagaEvent[]): Decision[] {
  let current = startSaga({
    sagaId,
    orderId,
    items: [{ sku: 'Book', quantity: 1 }],
    total: 20,
    maxRetryAttempts: 2,
  });
  return path.map((event) => {
    current = decide(current.saga, event);
    expect(current.accepted, `${event.type} accepted`).to.equal(true);
    return current;
  });
}

function linesOf(path: OrderSagaEvent[]) {
  return decisions(...path).flatMap((decision) => lifeLines(decision, createdAt, now));
}

describe('saga life log', () => {
  it('given a new order, when accepted, then the line carries the saga and order ids', () => {
    const line = acceptedLine({ saga_id: sagaId, order_id: orderId });

    expect(line).to.deep.equal({ message: 'saga accepted', fields: { ...ids, status: 'PENDING' } });
  });

  it('given a saga whose steps all succeed, when it completes, then one line says so with the ids and the time since acceptance', () => {
    const lines = linesOf([events.authorized, events.reserved, events.ready]);

    expect(lines).to.deep.equal([
      {
        message: 'saga completed',
        fields: { ...ids, status: 'COMPLETED', duration_ms: 1250 },
      },
    ]);
  });

  it('given a declined payment, when the saga is cancelled, then the line says which step failed and why', () => {
    const lines = linesOf([events.declined]);

    expect(lines).to.deep.equal([
      {
        message: 'saga cancelled',
        fields: {
          ...ids,
          status: 'CANCELLED',
          duration_ms: 1250,
          step: 'payment',
          code: 'AMOUNT_LIMIT',
          reason: 'above the limit',
        },
      },
    ]);
  });

  it('given a dead-lettered command, when the saga becomes stuck, then the line names the step and the failure', () => {
    const lines = linesOf([events.deadLettered]);

    expect(lines).to.deep.equal([
      {
        message: 'saga stuck',
        fields: {
          ...ids,
          status: 'STUCK',
          duration_ms: 1250,
          step: 'payment',
          code: 'PROVIDER_UNAVAILABLE',
          reason: 'provider answered 503',
        },
      },
    ]);
  });

  it('given a stuck saga, when an operator replays it, then the line names the operator and their reason', () => {
    const lines = linesOf([events.deadLettered, events.replay]).slice(1);

    expect(lines).to.deep.equal([
      {
        message: 'saga replayed',
        fields: {
          ...ids,
          status: 'PENDING',
          duration_ms: 1250,
          actor: 'ops',
          reason: 'provider fixed',
        },
      },
    ]);
  });

  it('given a stuck saga, when an operator cancels it and the void arrives, then one line for the cancel and one for the end', () => {
    const lines = linesOf([events.deadLettered, events.cancel, events.voided]).slice(1);

    expect(lines.map((l) => l.message)).to.deep.equal([
      'saga cancelled by operator',
      'saga cancelled',
    ]);
    expect(lines[0]!.fields).to.include({ actor: 'ops', reason: 'customer called' });
    expect(lines[1]!.fields).to.include({ ...ids, status: 'CANCELLED', step: 'payment' });
  });

  it('given steps that succeed without ending the saga, when decided, then no life line is written', () => {
    expect(linesOf([events.authorized, events.reserved])).to.deep.equal([]);
  });

  it('given the observer, when a decision is applied, then its lines go to the logger at info', () => {
    const written: Array<Record<string, unknown>> = [];
    const logger = winston.createLogger({
      level: 'info',
      format: winston.format.json(),
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            write(chunk: Buffer, _encoding, done) {
              written.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
              done();
            },
          }),
        }),
      ],
    });
    const [decision] = decisions(events.declined);

    sagaLifeLog(logger, () => now).observer.onApplied(decision!, createdAt);

    expect(written).to.have.length(1);
    expect(written[0]).to.include({ level: 'info', message: 'saga cancelled', ...ids });
  });
});
