import http from 'node:http';
import https from 'node:https';

/**
 * The payment provider's HTTP API, seen from the worker. The adapter is where failures are
 * classified: a decline is a business answer; a network error, a timeout or a 5xx is a
 * technical failure (thrown) that the runtime retries. Every call carries an idempotency key,
 * so a retried call never authorizes twice.
 */

export type AuthorizationResult =
  | { approved: true; authorizationId: string }
  | {
      approved: false;
      code: string;
      message: string;
      /** The provider's own id for the decline (its `decline_id`), when it gives one. */
      reference?: string;
    };

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
  const post = jsonPoster(baseUrl, timeoutMs);
  const call = async (path: string, body: unknown, idempotencyKey: string) => {
    let response: { status: number; payload: Record<string, unknown> };
    try {
      response = await post(path, body, { 'idempotency-key': idempotencyKey });
    } catch (error) {
      throw new ProviderUnavailableError(
        `payment provider unreachable: ${(error as Error).message}`,
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new ProviderUnavailableError(
        `payment provider answered ${response.status}`,
        `PROVIDER_${response.status}`,
      );
    }
    return response;
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
          ...(typeof payload.decline_id === 'string' ? { reference: payload.decline_id } : {}),
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

/**
 * POSTs JSON over a keep-alive connection pool. node:http rather than fetch: on the hot path
 * fetch's web streams cost several times the CPU of a plain request.
 */
function jsonPoster(baseUrl: string, timeoutMs: number) {
  const base = new URL(baseUrl);
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 32 });
  const prefix = base.pathname.replace(/\/$/, '');
  return (path: string, body: unknown, headers: Record<string, string>) =>
    new Promise<{ status: number; payload: Record<string, unknown> }>((resolve, reject) => {
      const data = JSON.stringify(body);
      const request = transport.request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          path: `${prefix}${path}`,
          method: 'POST',
          agent,
          timeout: timeoutMs,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(data),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            let payload: Record<string, unknown> = {};
            try {
              payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<
                string,
                unknown
              >;
            } catch {
              // A body that is not JSON is judged by its status alone.
            }
            resolve({ status: response.statusCode ?? 0, payload });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(data);
    });
}
