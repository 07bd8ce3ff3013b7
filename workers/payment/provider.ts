/**
 * The payment provider's HTTP API, seen from the worker. The adapter is where failures are
 * classified: a decline is a business answer; a network error, a timeout or a 5xx is a
 * technical failure (thrown) that the runtime retries. Every call carries an idempotency key,
 * so a retried call never authorizes twice.
 */

export type AuthorizationResult =
  { approved: true; authorizationId: string } | { approved: false; code: string; message: string };

export interface PaymentProvider {
  authorize(request: {
    idempotencyKey: string;
    orderId: string;
    amount: number;
  }): Promise<AuthorizationResult>;
  void(request: { idempotencyKey: string; authorizationId: string }): Promise<void>;
}

export class ProviderUnavailableError extends Error {
  constructor(
    message: string,
    readonly code = 'PROVIDER_UNAVAILABLE',
  ) {
    super(message);
    this.name = 'ProviderUnavailableError';
  }
}

export function httpPaymentProvider(baseUrl: string, timeoutMs = 5_000): PaymentProvider {
  const call = async (path: string, body: unknown, idempotencyKey: string) => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ProviderUnavailableError(
        `payment provider unreachable: ${(error as Error).message}`,
      );
    }
    const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status >= 500 || response.status === 429) {
      throw new ProviderUnavailableError(
        `payment provider answered ${response.status}`,
        `PROVIDER_${response.status}`,
      );
    }
    return { status: response.status, payload };
  };

  return {
    async authorize({ idempotencyKey, orderId, amount }) {
      const { status, payload } = await call(
        '/authorizations',
        { order_id: orderId, amount },
        idempotencyKey,
      );
      if (status === 201 || status === 200) {
        if (typeof payload.authorization_id !== 'string') {
          throw new ProviderUnavailableError(
            'payment provider answered without an authorization id',
            'PROVIDER_BAD_ANSWER',
          );
        }
        return { approved: true, authorizationId: payload.authorization_id };
      }
      if (status === 402) {
        return {
          approved: false,
          code: typeof payload.code === 'string' ? payload.code : 'DECLINED',
          message:
            typeof payload.message === 'string' ? payload.message : 'declined by the provider',
        };
      }
      throw new ProviderUnavailableError(
        `payment provider answered ${status}`,
        `PROVIDER_${status}`,
      );
    },
    async void({ idempotencyKey, authorizationId }) {
      const { status } = await call(
        `/authorizations/${encodeURIComponent(authorizationId)}/void`,
        {},
        idempotencyKey,
      );
      // 404: the provider no longer knows it (e.g. expired); nothing remains to void.
      if (status !== 200 && status !== 404) {
        throw new ProviderUnavailableError(
          `payment provider answered ${status} to a void`,
          `PROVIDER_${status}`,
        );
      }
    },
  };
}
