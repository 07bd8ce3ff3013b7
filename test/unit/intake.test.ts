import { expect } from 'chai';
import { canonicalJson, requestHash } from '../../coordinator/order-intake';
import { OrderRequest } from '../../sagas/contracts/order-request';

function parse(text: string): OrderRequest {
  return JSON.parse(text) as OrderRequest;
}

const base: OrderRequest = { order_id: '123', user_id: '42', items: ['Book'], total: 20 };

describe('order intake hashing', () => {
  describe('canonicalJson', () => {
    it('given an object with unordered keys, when serialized, then its keys are sorted', () => {
      // Act
      const text = canonicalJson({ b: 1, a: 2, c: 3 });

      // Assert
      expect(text).to.equal('{"a":2,"b":1,"c":3}');
    });

    it('given nested objects, when serialized, then keys are sorted at every depth and array order is kept', () => {
      // Arrange
      const value = { z: { y: 1, x: [{ q: 1, p: 2 }, 'b', 'a'] }, a: null };

      // Act
      const text = canonicalJson(value);

      // Assert
      expect(text).to.equal('{"a":null,"z":{"x":[{"p":2,"q":1},"b","a"],"y":1}}');
    });

    it('given a field that is undefined, when serialized, then it is left out like JSON.stringify does', () => {
      // Act
      const text = canonicalJson({ a: 1, force_fail: undefined });

      // Assert
      expect(text).to.equal('{"a":1}');
    });

    it('given keys and strings that need escaping, when serialized, then the output is valid JSON of the same value', () => {
      // Arrange
      const value = { 'quote"key': 'line\nbreak', é: 'ü' };

      // Act
      const text = canonicalJson(value);

      // Assert
      expect(JSON.parse(text)).to.deep.equal(value);
    });
  });

  describe('requestHash', () => {
    it('given the same body with keys in another order, when hashed, then the hashes are equal', () => {
      // Arrange
      const first = parse('{"order_id":"123","user_id":"42","items":["Book"],"total":20}');
      const second = parse('{"total":20,"items":["Book"],"user_id":"42","order_id":"123"}');

      // Act / Assert
      expect(requestHash(first)).to.equal(requestHash(second));
    });

    it('given totals written 20.0 and 20, when hashed, then the hashes are equal', () => {
      // Arrange
      const decimal = parse('{"order_id":"123","user_id":"42","items":["Book"],"total":20.0}');
      const integer = parse('{"order_id":"123","user_id":"42","items":["Book"],"total":20}');

      // Act / Assert
      expect(requestHash(decimal)).to.equal(requestHash(integer));
    });

    it('given {"total":20.0} and {"total":20}, when serialized, then both give the same canonical text', () => {
      // Act
      const decimal = canonicalJson(JSON.parse('{"total":20.0}'));
      const integer = canonicalJson(JSON.parse('{"total":20}'));

      // Assert
      expect(decimal).to.equal('{"total":20}');
      expect(integer).to.equal(decimal);
    });

    it('given a different total, when hashed, then the hash differs', () => {
      // Act / Assert
      expect(requestHash({ ...base, total: 20.01 })).to.not.equal(requestHash(base));
    });

    it('given a different item, when hashed, then the hash differs', () => {
      // Act / Assert
      expect(requestHash({ ...base, items: ['Pen'] })).to.not.equal(requestHash(base));
    });

    it('given the same items in another order, when hashed, then the hash differs (item order is part of the request)', () => {
      // Arrange
      const first: OrderRequest = { ...base, items: ['Book', 'Pen'] };
      const second: OrderRequest = { ...base, items: ['Pen', 'Book'] };

      // Act / Assert
      expect(requestHash(first)).to.not.equal(requestHash(second));
    });

    it('given nested simulate objects with keys in another order, when hashed, then the hashes are equal', () => {
      // Arrange
      const first = parse(
        '{"order_id":"1","user_id":"2","items":[{"sku":"A","quantity":2}],"total":5,"simulate":{"step":"payment","mode":"error","times":2}}',
      );
      const second = parse(
        '{"simulate":{"times":2,"mode":"error","step":"payment"},"total":5,"items":[{"quantity":2,"sku":"A"}],"user_id":"2","order_id":"1"}',
      );

      // Act / Assert
      expect(requestHash(first)).to.equal(requestHash(second));
    });

    it('given a request, when hashed, then the hash is 64 lowercase hex characters', () => {
      // Act
      const hash = requestHash(base);

      // Assert
      expect(hash).to.match(/^[0-9a-f]{64}$/);
    });
  });
});
