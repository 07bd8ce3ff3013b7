import { expect } from 'chai';
import { Validated, compileValidator } from '../../lib/validation';
import { Envelope } from '../../sagas/contracts/envelope';
import { commandSchema, replySchema } from '../../sagas/contracts/messages';
import { orderRequestSchema } from '../../sagas/contracts/http/orders';
import { OrderRequest, normalizeLines } from '../../sagas/contracts/order-request';

const validateOrder = compileValidator<OrderRequest>(orderRequestSchema);
const validateCommand = compileValidator<Envelope>(commandSchema);
const validateReply = compileValidator<Envelope>(replySchema);

function errorsOf<T>(result: Validated<T>): string[] {
  return result.ok ? [] : result.errors;
}

function validOrder(): Record<string, unknown> {
  return { order_id: '123', user_id: '42', items: ['Book'], total: 20 };
}

function envelope(type: string, data: unknown): Record<string, unknown> {
  return {
    message_id: 'msg-1',
    type,
    saga_id: '3b241101-e2bb-4255-8caf-4136c566a962',
    order_id: 'order-123',
    // Each type belongs to one step (`inventory.reserved` → inventory); notices may be any.
    step:
      ['payment', 'inventory', 'shipping'].find((step) => type.startsWith(`${step}.`)) ?? 'payment',
    attempt: 1,
    correlation_id: '3b241101-e2bb-4255-8caf-4136c566a962',
    causation_id: null,
    occurred_at: '2026-11-24T09:00:00.000Z',
    data,
  };
}

describe('message contracts — step', () => {
  it('given a command whose step does not match its type, when validated, then it is rejected', () => {
    const validateCommand = compileValidator(commandSchema);
    const mismatched = {
      ...envelope('payment.authorize', { command_id: 'c', amount: 1 }),
      step: 'shipping',
    };
    expect(validateCommand(mismatched).ok).to.equal(false);
  });
});

describe('order request contract', () => {
  describe('normalizeLines', () => {
    it('given string items, when normalized, then each becomes a line of quantity 1', () => {
      // Act
      const lines = normalizeLines(['Book', 'Pen']);

      // Assert
      expect(lines).to.deep.equal([
        { sku: 'Book', quantity: 1 },
        { sku: 'Pen', quantity: 1 },
      ]);
    });

    it('given a SKU repeated as strings and objects, when normalized, then quantities are summed in order of first appearance', () => {
      // Act
      const lines = normalizeLines([
        'Book',
        { sku: 'Pen', quantity: 3 },
        { sku: 'Book', quantity: 2 },
        'Pen',
        'Book',
      ]);

      // Assert
      expect(lines).to.deep.equal([
        { sku: 'Book', quantity: 4 },
        { sku: 'Pen', quantity: 4 },
      ]);
    });

    it('given object items, when normalized, then the input lines are not mutated', () => {
      // Arrange
      const line = { sku: 'Book', quantity: 2 };

      // Act
      normalizeLines([line, { sku: 'Book', quantity: 5 }]);

      // Assert
      expect(line).to.deep.equal({ sku: 'Book', quantity: 2 });
    });
  });

  describe('orderRequestSchema', () => {
    it('given the original body shape parsed from JSON, when validated, then it is accepted', () => {
      // Arrange
      const body: unknown = JSON.parse(
        '{"order_id":"123","user_id":"42","items":["Book"],"total":20.0}',
      );

      // Act
      const result = validateOrder(body);

      // Assert
      expect(result).to.deep.equal({ ok: true, value: body });
    });

    it('given object items and the optional fields, when validated, then it is accepted', () => {
      // Arrange
      const body = {
        ...validOrder(),
        items: [{ sku: 'BOOK-1', quantity: 1000 }, 'pen.blue:2', { sku: 'X_Y', quantity: 1 }],
        force_fail: false,
        simulate: { step: 'shipping', mode: 'error', times: 2 },
      };

      // Act
      const result = validateOrder(body);

      // Assert
      expect(errorsOf(result)).to.deep.equal([]);
      expect(result.ok).to.equal(true);
    });

    it('given an unknown field, when validated, then it is rejected naming the field', () => {
      // Act
      const result = validateOrder({ ...validOrder(), coupon: 'FREE' });

      // Assert
      expect(result.ok).to.equal(false);
      expect(errorsOf(result)).to.deep.equal(["body: unknown field 'coupon'"]);
    });

    const badBodies: Array<[string, Record<string, unknown>, string]> = [
      ['an order_id with a space', { order_id: 'order 1' }, 'order_id'],
      ['an order_id of 65 characters', { order_id: 'a'.repeat(65) }, 'order_id'],
      ['a user_id with a space', { user_id: 'user 1' }, 'user_id'],
      ['an empty item list', { items: [] }, 'items'],
      ['101 items', { items: Array.from({ length: 101 }, () => 'Book') }, 'items'],
      ['a quantity of 0', { items: [{ sku: 'Book', quantity: 0 }] }, 'items.0.quantity'],
      ['a quantity of 1001', { items: [{ sku: 'Book', quantity: 1001 }] }, 'items.0.quantity'],
      ['a fractional quantity', { items: [{ sku: 'Book', quantity: 1.5 }] }, 'items.0.quantity'],
      ['a negative total', { total: -0.01 }, 'total'],
      ['a total given as a string', { total: '20' }, 'total'],
      ['a total of Infinity (JSON 1e309)', { total: JSON.parse('1e309') as number }, 'total'],
      ['a total with three decimals', { total: 19.999 }, 'total'],
      ['a total of 1e-7', { total: 1e-7 }, 'total'],
      ['a total of 10^12', { total: 1e12 }, 'total'],
      ['a total with a third decimal near the maximum', { total: 99_999_999_999.995 }, 'total'],
      ['an unknown fault mode', { simulate: { step: 'payment', mode: 'explode' } }, 'simulate'],
    ];
    for (const [what, patch, field] of badBodies) {
      it(`given ${what}, when validated, then it is rejected with an error on ${field}`, () => {
        // Act
        const result = validateOrder({ ...validOrder(), ...patch });

        // Assert
        expect(result.ok).to.equal(false);
        expect(errorsOf(result).some((e) => e.startsWith(`${field}`))).to.equal(
          true,
          errorsOf(result).join(' | '),
        );
      });
    }

    it('given an order_id of exactly 64 characters, when validated, then it is accepted', () => {
      // Act
      const result = validateOrder({ ...validOrder(), order_id: 'a'.repeat(64) });

      // Assert
      expect(result.ok).to.equal(true);
    });

    for (const total of [20, 19.99, 0.1, 0, 999_999_999_999.99, 123_456_789_012.34]) {
      it(`given a total of ${total}, when validated, then it is accepted`, () => {
        // Act
        const result = validateOrder({ ...validOrder(), total });

        // Assert
        expect(errorsOf(result)).to.deep.equal([]);
      });
    }

    it('given exactly 100 items, when validated, then it is accepted', () => {
      // Act
      const result = validateOrder({
        ...validOrder(),
        items: Array.from({ length: 100 }, () => 'Book'),
      });

      // Assert
      expect(result.ok).to.equal(true);
    });

    it('given a missing required field, when validated, then the error names it', () => {
      // Arrange
      const body = validOrder();
      delete body.total;

      // Act
      const result = validateOrder(body);

      // Assert
      expect(errorsOf(result)).to.deep.equal(["body: must have required property 'total'"]);
    });

    it('given a body with several problems, when validated, then every problem is listed', () => {
      // Arrange
      const body = {
        order_id: 'bad id',
        user_id: '',
        items: [{ sku: 'Book', quantity: 0 }],
        total: -1,
        extra: true,
      };

      // Act
      const result = validateOrder(body);

      // Assert
      const errors = errorsOf(result);
      expect(errors.length).to.be.greaterThan(1);
      for (const field of ['order_id', 'user_id', 'items.0.quantity', 'total']) {
        expect(
          errors.some((e) => e.startsWith(field)),
          `${field} in ${errors.join(' | ')}`,
        ).to.equal(true);
      }
      expect(errors).to.include("body: unknown field 'extra'");
      expect(new Set(errors).size).to.equal(errors.length);
    });
  });
});

describe('message contracts', () => {
  describe('commandSchema', () => {
    it('given a well-formed payment.authorize envelope, when validated, then it is accepted', () => {
      // Arrange
      const message = envelope('payment.authorize', { command_id: 'c-1', amount: 20 });

      // Act
      const result = validateCommand(message);

      // Assert
      expect(errorsOf(result)).to.deep.equal([]);
      expect(result.ok).to.equal(true);
    });

    it('given a well-formed inventory.reserve envelope with a causation id, when validated, then it is accepted', () => {
      // Arrange
      const message = {
        ...envelope('inventory.reserve', {
          command_id: 'c-2',
          items: [{ sku: 'Book', quantity: 2000 }],
        }),
        step: 'inventory',
        causation_id: 'msg-0',
      };

      // Act
      const result = validateCommand(message);

      // Assert
      expect(errorsOf(result)).to.deep.equal([]);
    });

    it('given payment.authorize with the data of inventory.reserve, when validated, then it is rejected on data', () => {
      // Arrange
      const message = envelope('payment.authorize', {
        command_id: 'c-1',
        items: [{ sku: 'Book', quantity: 1 }],
      });

      // Act
      const result = validateCommand(message);

      // Assert
      expect(result.ok).to.equal(false);
      expect(errorsOf(result)).to.include("data: must have required property 'amount'");
      expect(errorsOf(result)).to.include("data: unknown field 'items'");
    });

    for (const [what, amount] of [
      ['Infinity', Infinity],
      ['three decimals', 19.999],
      ['10^12', 1e12],
    ] as const) {
      it(`given an amount of ${what}, when validated, then it is rejected on data.amount`, () => {
        // Act
        const result = validateCommand(envelope('payment.authorize', { command_id: 'c', amount }));

        // Assert
        expect(errorsOf(result).some((e) => e.startsWith('data.amount'))).to.equal(
          true,
          errorsOf(result).join(' | '),
        );
      });
    }

    it('given an amount of 19.99, when validated, then it is accepted', () => {
      // Act
      const result = validateCommand(
        envelope('payment.authorize', { command_id: 'c', amount: 19.99 }),
      );

      // Assert
      expect(errorsOf(result)).to.deep.equal([]);
    });

    it('given a negative amount, when validated, then it is rejected on data.amount', () => {
      // Act
      const result = validateCommand(
        envelope('payment.authorize', { command_id: 'c', amount: -1 }),
      );

      // Assert
      expect(errorsOf(result).some((e) => e.startsWith('data.amount'))).to.equal(true);
    });

    for (const field of ['message_id', 'saga_id', 'occurred_at', 'causation_id', 'data']) {
      it(`given an envelope without ${field}, when validated, then it is rejected naming ${field}`, () => {
        // Arrange
        const message = Object.fromEntries(
          Object.entries(envelope('payment.void', { command_id: 'c-1' })).filter(
            ([key]) => key !== field,
          ),
        );

        // Act
        const result = validateCommand(message);

        // Assert
        expect(result.ok).to.equal(false);
        expect(errorsOf(result)).to.include(`body: must have required property '${field}'`);
      });
    }

    it('given an unknown command type, when validated, then it is rejected on type', () => {
      // Act
      const result = validateCommand(envelope('payment.refund', { command_id: 'c-1' }));

      // Assert
      expect(result.ok).to.equal(false);
      expect(errorsOf(result).some((e) => e.startsWith('type: must be one of'))).to.equal(true);
    });

    it('given a reply type on the command schema, when validated, then it is rejected', () => {
      // Act
      const result = validateCommand(
        envelope('payment.authorized', { command_id: 'c-1', authorization_id: 'a-1' }),
      );

      // Assert
      expect(result.ok).to.equal(false);
    });

    const badEnvelopes: Array<[string, Record<string, unknown>, string]> = [
      ['a saga_id that is not a uuid', { saga_id: 'saga-1' }, 'saga_id'],
      ['an occurred_at that is not a date-time', { occurred_at: '24/11/2026' }, 'occurred_at'],
      ['an attempt of 0', { attempt: 0 }, 'attempt'],
      ['an unknown step', { step: 'billing' }, 'step'],
      ['an unknown envelope field', { priority: 1 }, 'body'],
    ];
    for (const [what, patch, field] of badEnvelopes) {
      it(`given ${what}, when validated, then it is rejected on ${field}`, () => {
        // Act
        const result = validateCommand({
          ...envelope('payment.void', { command_id: 'c-1' }),
          ...patch,
        });

        // Assert
        expect(result.ok).to.equal(false);
        expect(errorsOf(result).some((e) => e.startsWith(`${field}:`))).to.equal(
          true,
          errorsOf(result).join(' | '),
        );
      });
    }
  });

  describe('replySchema', () => {
    const wellFormed: Array<[string, unknown]> = [
      ['payment.authorized', { command_id: 'c', authorization_id: 'a-1' }],
      ['payment.declined', { command_id: 'c', code: 'DECLINED', message: 'no' }],
      ['payment.voided', { command_id: 'c', voided: 1 }],
      ['inventory.reserved', { command_id: 'c' }],
      ['inventory.rejected', { command_id: 'c', code: 'OUT_OF_STOCK', message: '' }],
      ['inventory.released', { command_id: 'c', released: false }],
      ['shipping.ready', { command_id: 'c', shipment_id: 's-1', tracking_number: 'T-1' }],
      ['shipping.rejected', { command_id: 'c', code: 'NO_CARRIER', message: 'none' }],
      ['shipping.cancelled', { command_id: 'c', cancelled: 0 }],
      [
        'command.retry_scheduled',
        {
          command_id: 'c',
          command: 'payment.authorize',
          retry: 1,
          delay_ms: 5000,
          code: 'PROVIDER_UNAVAILABLE',
          message: 'payment provider answered 503',
        },
      ],
    ];
    for (const [type, data] of wellFormed) {
      it(`given a well-formed ${type} reply, when validated, then it is accepted`, () => {
        // Act
        const result = validateReply(envelope(type, data));

        // Assert
        expect(errorsOf(result)).to.deep.equal([]);
        expect(result.ok).to.equal(true);
      });
    }

    it('given payment.declined without its failure code, when validated, then it is rejected on data', () => {
      // Act
      const result = validateReply(envelope('payment.declined', { command_id: 'c', message: 'x' }));

      // Assert
      expect(result.ok).to.equal(false);
      expect(errorsOf(result)).to.include("data: must have required property 'code'");
    });

    it('given shipping.ready with the data of payment.authorized, when validated, then it is rejected', () => {
      // Act
      const result = validateReply(
        envelope('shipping.ready', { command_id: 'c', authorization_id: 'a-1' }),
      );

      // Assert
      expect(result.ok).to.equal(false);
      expect(errorsOf(result)).to.include("data: unknown field 'authorization_id'");
    });

    it('given a reply without correlation_id, when validated, then it is rejected naming it', () => {
      // Arrange
      const message = envelope('inventory.reserved', { command_id: 'c' });
      delete message.correlation_id;

      // Act
      const result = validateReply(message);

      // Assert
      expect(errorsOf(result)).to.include("body: must have required property 'correlation_id'");
    });

    it('given an unknown reply type, when validated, then it is rejected on type', () => {
      // Act
      const result = validateReply(envelope('payment.refunded', { command_id: 'c' }));

      // Assert
      expect(result.ok).to.equal(false);
      expect(errorsOf(result).some((e) => e.startsWith('type: must be one of'))).to.equal(true);
    });

    it('given a command type on the reply schema, when validated, then it is rejected', () => {
      // Act
      const result = validateReply(envelope('payment.void', { command_id: 'c' }));

      // Assert
      expect(result.ok).to.equal(false);
    });
  });
});
