import { expect } from 'chai';
import { isExactMultiple } from '../../lib/decimal';
import { decodeCursor, encodeCursor } from '../../lib/http/paging';
import { instantOf, isPostgresTimestamp } from '../../lib/http/timestamps';
import { compileTextValidator } from '../../lib/validation';
import { orderListQuerySchema } from '../../sagas/contracts/http/orders';

describe('HTTP edge helpers', () => {
  describe('isExactMultiple', () => {
    const cases: Array<[number, number, boolean]> = [
      [19.99, 0.01, true],
      [20, 0.01, true],
      [0.3, 0.01, true],
      [999_999_999_999.99, 0.01, true],
      [19.999, 0.01, false],
      [1e-7, 0.01, false],
      [99_999_999_999.995, 0.01, false],
      [-0.5, 0.25, true],
      [1e21, 0.01, true],
      [Infinity, 0.01, false],
      [NaN, 0.01, false],
    ];
    for (const [value, step, expected] of cases) {
      it(`given ${value} and a step of ${step}, when checked as decimals, then it is ${expected ? '' : 'not '}a multiple`, () => {
        expect(isExactMultiple(value, step)).to.equal(expected);
      });
    }
  });

  describe('isPostgresTimestamp', () => {
    for (const text of [
      '2026-11-24 09:00:00.123456+00',
      '2024-02-29 23:59:59+05:30',
      '2026-01-01T00:00:00Z',
      '2026-01-01 00:00:00-15:59',
    ]) {
      it(`given ${text}, when checked, then it is a timestamp PostgreSQL accepts`, () => {
        expect(isPostgresTimestamp(text)).to.equal(true);
      });
    }
    for (const text of [
      '2026-13-01 00:00:00+00',
      '2026-02-30 00:00:00+00',
      '2025-02-29 00:00:00+00',
      '2026-01-01 24:00:00+00',
      '2026-01-01 10:00:60+00',
      '2026-01-01 10:00:00+99:99',
      '2026-01-01 10:00:00+16',
      '0000-01-01 00:00:00+00',
      "2026-01-01' OR 1=1",
    ]) {
      it(`given ${text}, when checked, then it is refused`, () => {
        expect(isPostgresTimestamp(text)).to.equal(false);
      });
    }
  });

  describe('instantOf', () => {
    it('given an RFC 3339 instant with an offset, when read, then it is that instant in UTC', () => {
      expect(instantOf('2026-11-24T10:00:00+01:00')?.toISOString()).to.equal(
        '2026-11-24T09:00:00.000Z',
      );
    });

    it('given an instant an offset carries into year 0, when read, then it is refused', () => {
      expect(instantOf('0001-01-01T00:00:00+01:00')).to.equal(undefined);
    });
  });

  describe('keyset cursors', () => {
    it('given a cursor the API encoded, when decoded, then it round-trips', () => {
      const cursor = {
        at: '2026-11-24 09:00:00.123456+00',
        sagaId: '3b241101-e2bb-4255-8caf-4136c566a962',
      };

      expect(decodeCursor(encodeCursor(cursor))).to.deep.equal(cursor);
    });

    it('given a cursor holding February 30, when decoded, then it is refused', () => {
      const forged = encodeCursor({
        at: '2026-02-30 09:00:00+00',
        sagaId: '3b241101-e2bb-4255-8caf-4136c566a962',
      });

      expect(decodeCursor(forged)).to.equal(undefined);
    });
  });

  describe('query validation', () => {
    const validate = compileTextValidator(orderListQuerySchema);

    it('given no parameters, when validated, then the page size defaults to 50', () => {
      expect(validate({})).to.deep.equal({ ok: true, value: { limit: 50 } });
    });

    it('given a plain integer limit, when validated, then it becomes a number', () => {
      expect(validate({ limit: '10', status: 'STUCK' })).to.deep.equal({
        ok: true,
        value: { limit: 10, status: 'STUCK' },
      });
    });

    for (const [what, query, error] of [
      ['a hexadecimal limit', { limit: '0x10' }, 'limit: must be integer'],
      ['a limit with a space', { limit: ' 5' }, 'limit: must be integer'],
      ['a repeated parameter', { user_id: ['a', 'b'] }, 'user_id: must be string'],
      ['an unknown parameter', { colour: 'red' }, "query: unknown parameter 'colour'"],
      ['a forged cursor', { cursor: 'e30' }, 'cursor: is not a cursor this API returned'],
    ] as const) {
      it(`given ${what}, when validated, then it is refused naming it`, () => {
        const result = validate(query);

        expect(result.ok).to.equal(false);
        expect(result.ok ? [] : result.errors).to.include(error);
      });
    }
  });
});
