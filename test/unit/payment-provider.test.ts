import { expect } from 'chai';
import nock from 'nock';
import {
  PaymentProvider,
  ProviderUnavailableError,
  httpPaymentProvider,
} from '../../workers/payment/provider';

const origin = 'http://provider.test';
const baseUrl = `${origin}/provider`;
const authorizeRequest = { idempotencyKey: 'saga-1/payment.authorize', orderId: 'o-1', amount: 20 };
const voidRequest = { idempotencyKey: 'saga-1/payment.void', authorizationId: 'auth-1' };

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('http payment provider', () => {
  let provider: PaymentProvider;

  before(() => {
    nock.disableNetConnect();
  });

  beforeEach(() => {
    provider = httpPaymentProvider(baseUrl);
  });

  afterEach(() => {
    nock.cleanAll();
  });

  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  describe('authorize', () => {
    it('given the provider answers 201 with an authorization id, when authorizing, then the payment is approved', async () => {
      // Arrange
      const scope = nock(origin)
        .post('/provider/authorizations', { order_id: 'o-1', amount: 20 })
        .reply(201, { authorization_id: 'auth-1' });

      // Act
      const result = await provider.authorize(authorizeRequest);

      // Assert
      expect(result).to.deep.equal({ approved: true, authorizationId: 'auth-1' });
      expect(scope.isDone()).to.equal(true);
    });

    it('given a replayed authorization answered 200, when authorizing, then the payment is approved', async () => {
      // Arrange
      nock(origin).post('/provider/authorizations').reply(200, { authorization_id: 'auth-1' });

      // Act
      const result = await provider.authorize(authorizeRequest);

      // Assert
      expect(result).to.deep.equal({ approved: true, authorizationId: 'auth-1' });
    });

    it('given a provider that needs the idempotency key, when authorizing, then the idempotency-key header carries it', async () => {
      // Arrange
      const scope = nock(origin)
        .matchHeader('idempotency-key', 'saga-1/payment.authorize')
        .matchHeader('content-type', 'application/json')
        .post('/provider/authorizations')
        .reply(201, { authorization_id: 'auth-1' });

      // Act
      const result = await provider.authorize(authorizeRequest);

      // Assert
      expect(result.approved).to.equal(true);
      expect(scope.isDone()).to.equal(true);
    });

    it('given the provider answers 402 with a code and message, when authorizing, then the payment is declined as a business answer', async () => {
      // Arrange
      nock(origin)
        .post('/provider/authorizations')
        .reply(402, { code: 'INSUFFICIENT_FUNDS', message: 'card declined' });

      // Act
      const result = await provider.authorize(authorizeRequest);

      // Assert
      expect(result).to.deep.equal({
        approved: false,
        code: 'INSUFFICIENT_FUNDS',
        message: 'card declined',
      });
    });

    it("given the provider answers 402 with a decline id, when authorizing, then the decline carries the provider's reference", async () => {
      // Arrange
      nock(origin)
        .post('/provider/authorizations')
        .reply(402, { code: 'CARD_DECLINED', message: 'do not honour', decline_id: 'dcl_7' });

      // Act
      const result = await provider.authorize(authorizeRequest);

      // Assert
      expect(result).to.deep.equal({
        approved: false,
        code: 'CARD_DECLINED',
        message: 'do not honour',
        reference: 'dcl_7',
      });
    });

    it('given the provider answers 402 without a JSON body, when authorizing, then it is declined with default code and message', async () => {
      // Arrange
      nock(origin).post('/provider/authorizations').reply(402, 'Payment Required');

      // Act
      const result = await provider.authorize(authorizeRequest);

      // Assert
      expect(result).to.deep.equal({
        approved: false,
        code: 'DECLINED',
        message: 'declined by the provider',
      });
    });

    for (const status of [500, 503, 429]) {
      it(`given the provider answers ${status}, when authorizing, then it throws ProviderUnavailableError (technical)`, async () => {
        // Arrange
        nock(origin).post('/provider/authorizations').reply(status, { error: 'busy' });

        // Act
        const error = await rejectionOf(provider.authorize(authorizeRequest));

        // Assert
        expect(error).to.be.instanceOf(ProviderUnavailableError);
        expect(error).to.include({ code: `PROVIDER_${status}` });
      });
    }

    it('given a 201 without an authorization id, when authorizing, then it throws ProviderUnavailableError', async () => {
      // Arrange
      nock(origin).post('/provider/authorizations').reply(201, {});

      // Act
      const error = await rejectionOf(provider.authorize(authorizeRequest));

      // Assert
      expect(error).to.be.instanceOf(ProviderUnavailableError);
      expect(error).to.include({ code: 'PROVIDER_BAD_ANSWER' });
    });

    it('given the connection is refused, when authorizing, then it throws ProviderUnavailableError', async () => {
      // Arrange
      nock(origin)
        .post('/provider/authorizations')
        .replyWithError(
          Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:80'), { code: 'ECONNREFUSED' }),
        );

      // Act
      const error = await rejectionOf(provider.authorize(authorizeRequest));

      // Assert
      expect(error).to.be.instanceOf(ProviderUnavailableError);
      expect(error).to.include({ code: 'PROVIDER_UNAVAILABLE' });
      expect((error as Error).message).to.include('ECONNREFUSED');
    });

    it('given the provider does not answer within the timeout, when authorizing, then it throws ProviderUnavailableError', async () => {
      // Arrange
      const impatient = httpPaymentProvider(baseUrl, 20);
      nock(origin)
        .post('/provider/authorizations')
        .delay(500)
        .reply(201, { authorization_id: 'a' });

      // Act
      const error = await rejectionOf(impatient.authorize(authorizeRequest));

      // Assert
      expect(error).to.be.instanceOf(ProviderUnavailableError);
      expect(error).to.include({ code: 'PROVIDER_UNAVAILABLE' });
    });

    it('given no provider is reachable at all, when authorizing, then it throws ProviderUnavailableError', async () => {
      // Arrange: no interceptor and no network, so the request cannot connect.

      // Act
      const error = await rejectionOf(provider.authorize(authorizeRequest));

      // Assert
      expect(error).to.be.instanceOf(ProviderUnavailableError);
      expect((error as Error).message).to.match(/^payment provider unreachable/);
    });
  });

  describe('void', () => {
    for (const status of [200, 404]) {
      it(`given the provider answers ${status}, when voiding, then the void is done`, async () => {
        // Arrange
        const scope = nock(origin)
          .matchHeader('idempotency-key', 'saga-1/payment.void')
          .post('/provider/authorizations/auth-1/void')
          .reply(status, {});

        // Act
        const result = await provider.void(voidRequest);

        // Assert
        expect(result).to.equal(undefined);
        expect(scope.isDone()).to.equal(true);
      });
    }

    it('given the provider answers 500, when voiding, then it throws ProviderUnavailableError', async () => {
      // Arrange
      nock(origin).post('/provider/authorizations/auth-1/void').reply(500);

      // Act
      const error = await rejectionOf(provider.void(voidRequest));

      // Assert
      expect(error).to.be.instanceOf(ProviderUnavailableError);
      expect(error).to.include({ code: 'PROVIDER_500' });
    });

    it('given the provider answers 409, when voiding, then it throws ProviderUnavailableError', async () => {
      // Arrange
      nock(origin).post('/provider/authorizations/auth-1/void').reply(409, {});

      // Act
      const error = await rejectionOf(provider.void(voidRequest));

      // Assert
      expect(error).to.be.instanceOf(ProviderUnavailableError);
    });

    it('given an authorization id with reserved characters, when voiding, then it is URL-encoded in the path', async () => {
      // Arrange
      const scope = nock(origin).post('/provider/authorizations/auth%2F1%3Fx/void').reply(200, {});

      // Act
      await provider.void({ ...voidRequest, authorizationId: 'auth/1?x' });

      // Assert
      expect(scope.isDone()).to.equal(true);
    });
  });
});
