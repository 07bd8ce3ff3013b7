import type { ConsumeMessage } from 'amqplib';
import { expect } from 'chai';
import { Provenance } from '../../lib/messaging/dead-letter';
import { RetryPolicy, retryDelayMs } from '../../lib/retry-schedule';
import {
  FailureRoute,
  deliveryAttempt,
  routeTechnicalFailure,
} from '../../workers/runtime/failure-routing';

const queue = 'payment.commands';
const policy: RetryPolicy = { maxRetryAttempts: 3, retryDelaySeconds: 5 };
const failure: Provenance = {
  code: 'PROVIDER_UNAVAILABLE',
  message: 'payment provider answered 503',
  sagaId: '3b241101-e2bb-4255-8caf-4136c566a962',
  orderId: 'order-123',
  step: 'payment',
  command: 'payment.authorize',
};

function fakeMessage(headers?: Record<string, unknown>): ConsumeMessage {
  const message = {
    content: Buffer.from('{"type":"payment.authorize"}'),
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: 'saga.commands',
      routingKey: queue,
      consumerTag: 'ctag-1',
    },
    properties: {
      messageId: 'msg-1',
      type: 'payment.authorize',
      correlationId: 'corr-1',
      headers,
    },
  };
  return message as unknown as ConsumeMessage;
}

function asRetry(route: FailureRoute): Extract<FailureRoute, { kind: 'retry' }> {
  if (route.kind !== 'retry') throw new Error(`expected a retry, got ${route.kind}`);
  return route;
}

function asDeadLetter(route: FailureRoute): Extract<FailureRoute, { kind: 'dead-letter' }> {
  if (route.kind !== 'dead-letter') throw new Error(`expected a dead letter, got ${route.kind}`);
  return route;
}

describe('failure routing', () => {
  describe('retryDelayMs', () => {
    const cases: Array<[number, number, number]> = [
      // [retry, random, expected ms] = 5 s × 2^(retry−1) × (0.8 + 0.4 × random)
      [1, 0, 4000],
      [1, 0.5, 5000],
      [1, 1, 6000],
      [2, 0, 8000],
      [2, 0.5, 10000],
      [2, 1, 12000],
      [3, 0, 16000],
      [3, 0.5, 20000],
      [3, 1, 24000],
    ];
    for (const [retry, random, expected] of cases) {
      it(`given retry ${retry} and random ${random}, when the delay is computed, then it is ${expected} ms`, () => {
        // Act
        const delay = retryDelayMs(policy, retry, () => random);

        // Assert
        expect(delay).to.equal(expected);
      });
    }

    it('given a zero retry delay, when the delay is computed, then it is at least 1 ms', () => {
      // Act
      const delay = retryDelayMs({ maxRetryAttempts: 3, retryDelaySeconds: 0 }, 1, () => 0.5);

      // Assert
      expect(delay).to.equal(1);
    });
  });

  describe('deliveryAttempt', () => {
    const cases: Array<[string, Record<string, unknown> | undefined, number]> = [
      ['no headers', undefined, 1],
      ['headers without x-attempt', { other: 'x' }, 1],
      ['x-attempt 3 as a number', { 'x-attempt': 3 }, 3],
      ['x-attempt "2" as a string', { 'x-attempt': '2' }, 2],
      ['x-attempt "garbage"', { 'x-attempt': 'garbage' }, 1],
      ['x-attempt 0', { 'x-attempt': 0 }, 1],
      ['x-attempt -2', { 'x-attempt': -2 }, 1],
      ['x-attempt 1.5', { 'x-attempt': 1.5 }, 1],
      ['x-attempt null', { 'x-attempt': null }, 1],
    ];
    for (const [what, headers, expected] of cases) {
      it(`given ${what}, when the attempt is read, then it is ${expected}`, () => {
        // Act
        const attempt = deliveryAttempt(fakeMessage(headers));

        // Assert
        expect(attempt).to.equal(expected);
      });
    }
  });

  describe('routeTechnicalFailure', () => {
    for (const attempt of [1, 2, 3]) {
      it(`given delivery attempt ${attempt} of at most 3 retries, when routed, then it is republished to saga.retries on ${queue}.retry.${attempt}`, () => {
        // Arrange
        const message = fakeMessage({ 'x-attempt': attempt });

        // Act
        const route = asRetry(routeTechnicalFailure(message, queue, policy, failure));

        // Assert
        expect(route.retry).to.equal(attempt);
        expect(route.message.exchange).to.equal('saga.retries');
        expect(route.message.routingKey).to.equal(`${queue}.retry.${attempt}`);
        expect(route.message.headers?.['x-attempt']).to.equal(attempt + 1);
      });
    }

    it('given a first delivery without headers, when routed, then the retry carries x-attempt 2 and an expiration equal to its delay', () => {
      // Arrange
      const message = fakeMessage(undefined);

      // Act
      const route = asRetry(routeTechnicalFailure(message, queue, policy, failure));

      // Assert
      expect(route.message.headers?.['x-attempt']).to.equal(2);
      expect(route.message.expiration).to.equal(route.delayMs);
      expect(route.delayMs).to.be.within(4000, 6000);
    });

    it('given a third delivery, when routed, then the expiration is within ±20 % of 20 s', () => {
      // Act
      const route = asRetry(
        routeTechnicalFailure(fakeMessage({ 'x-attempt': 3 }), queue, policy, failure),
      );

      // Assert
      expect(route.message.expiration).to.be.within(16000, 24000);
    });

    it('given a retry, when routed, then the body, message id, type and correlation id are kept', () => {
      // Arrange
      const message = fakeMessage({ 'x-attempt': 1 });

      // Act
      const route = asRetry(routeTechnicalFailure(message, queue, policy, failure));

      // Assert
      expect(route.message.body.equals(message.content)).to.equal(true);
      expect(route.message).to.include({
        messageId: 'msg-1',
        type: 'payment.authorize',
        correlationId: 'corr-1',
      });
    });

    it('given a message the broker dead-lettered before, when retried, then x-death headers are not copied but other headers are', () => {
      // Arrange
      const message = fakeMessage({
        'x-attempt': 2,
        'x-death': [{ count: 1, queue: `${queue}.retry.1` }],
        'x-first-death-queue': `${queue}.retry.1`,
        'x-last-death-reason': 'expired',
        'x-trace-id': 'trace-1',
      });

      // Act
      const route = asRetry(routeTechnicalFailure(message, queue, policy, failure));

      // Assert
      expect(route.message.headers).to.not.have.any.keys(
        'x-death',
        'x-first-death-queue',
        'x-last-death-reason',
      );
      expect(route.message.headers).to.include({ 'x-trace-id': 'trace-1', 'x-attempt': 3 });
    });

    it('given delivery attempt 4 of at most 3 retries, when routed, then it is dead-lettered to saga.dead-letters with routing key = queue', () => {
      // Arrange
      const message = fakeMessage({ 'x-attempt': 4 });

      // Act
      const route = asDeadLetter(routeTechnicalFailure(message, queue, policy, failure));

      // Assert
      expect(route.message.exchange).to.equal('saga.dead-letters');
      expect(route.message.routingKey).to.equal(queue);
      expect(route.message.expiration).to.equal(undefined);
    });

    it('given retries are spent, when dead-lettered, then the headers carry the provenance and the error', () => {
      // Arrange
      const message = fakeMessage({ 'x-attempt': 4 });

      // Act
      const route = asDeadLetter(routeTechnicalFailure(message, queue, policy, failure));

      // Assert
      expect(route.message.headers).to.include({
        'x-origin-queue': queue,
        'x-saga-id': failure.sagaId,
        'x-order-id': failure.orderId,
        'x-step': 'payment',
        'x-command': 'payment.authorize',
        'x-attempts': 4,
        'x-error-code': 'PROVIDER_UNAVAILABLE',
        'x-error-message': 'payment provider answered 503',
      });
    });

    it('given a failure without saga details, when dead-lettered, then the provenance headers are empty strings', () => {
      // Arrange
      const message = fakeMessage({ 'x-attempt': 4 });

      // Act
      const route = asDeadLetter(
        routeTechnicalFailure(message, queue, policy, { code: 'POISON', message: 'bad json' }),
      );

      // Assert
      expect(route.message.headers).to.include({
        'x-saga-id': '',
        'x-order-id': '',
        'x-step': '',
        'x-command': '',
        'x-error-code': 'POISON',
      });
    });

    it('given a very long error message, when dead-lettered, then x-error-message is at most 512 characters', () => {
      // Arrange
      const message = fakeMessage({ 'x-attempt': 4 });
      const long = { ...failure, message: 'e'.repeat(5000) };

      // Act
      const route = asDeadLetter(routeTechnicalFailure(message, queue, policy, long));

      // Assert
      const text = route.message.headers?.['x-error-message'];
      expect(text).to.be.a('string');
      expect((text as string).length).to.be.at.most(512);
      expect((text as string).startsWith('eeee')).to.equal(true);
    });

    it('given an error message of exactly 512 characters, when dead-lettered, then it is kept whole', () => {
      // Arrange
      const exact = 'x'.repeat(512);

      // Act
      const route = asDeadLetter(
        routeTechnicalFailure(fakeMessage({ 'x-attempt': 4 }), queue, policy, {
          ...failure,
          message: exact,
        }),
      );

      // Assert
      expect(route.message.headers?.['x-error-message']).to.equal(exact);
    });

    it('given a very long error message, when retried, then the x-last-error header is also at most 512 characters', () => {
      // Act
      const route = asRetry(
        routeTechnicalFailure(fakeMessage({ 'x-attempt': 1 }), queue, policy, {
          ...failure,
          message: 'e'.repeat(5000),
        }),
      );

      // Assert
      expect((route.message.headers?.['x-last-error'] as string).length).to.be.at.most(512);
    });

    it('given a dead-lettered message with broker headers, when routed, then x-death is not copied and x-attempt is kept', () => {
      // Arrange
      const message = fakeMessage({
        'x-attempt': 4,
        'x-death': [{ count: 3, queue: `${queue}.retry.3` }],
        'x-first-death-exchange': 'saga.retries',
      });

      // Act
      const route = asDeadLetter(routeTechnicalFailure(message, queue, policy, failure));

      // Assert
      expect(route.message.headers).to.not.have.any.keys('x-death', 'x-first-death-exchange');
      expect(route.message.headers).to.include({ 'x-attempt': 4 });
    });

    it('given no retries are allowed, when the first delivery fails, then it is dead-lettered at once', () => {
      // Act
      const route = routeTechnicalFailure(
        fakeMessage(undefined),
        queue,
        { maxRetryAttempts: 0, retryDelaySeconds: 5 },
        failure,
      );

      // Assert
      expect(route.kind).to.equal('dead-letter');
      expect(asDeadLetter(route).message.headers?.['x-attempts']).to.equal(1);
    });
  });
});
