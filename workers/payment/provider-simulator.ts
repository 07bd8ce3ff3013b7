/**
 * A stand-in for the payment provider, served by the payment worker under /provider so the
 * system runs without an external account. It honours idempotency keys and declines amounts
 * above its limit (HTTP 402), like a card network would.
 *
 * It stands for a system outside ours, so it is kept out of the worker's own request pipeline:
 * a bare node:http handler answers before the worker's Express app (routing, readiness, access
 * log) sees the request, and costs the worker as little as a remote provider would.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RawRoute } from '../../lib/service';

const MAX_REMEMBERED_KEYS = 100_000;

/**
 * What to tell an operator who runs a production configuration (fault injection off) on the
 * simulator: it approves every payment up to its limit and charges no one. Undefined otherwise.
 */
export function simulatorInProductionWarning(config: {
  paymentProviderSimulated: boolean;
  faultInjection: boolean;
}): string | undefined {
  if (!config.paymentProviderSimulated || config.faultInjection) return undefined;
  return 'payments are authorized by the built-in simulator, which charges no one: set PAYMENT_PROVIDER_URL to the payment provider';
}
const MAX_BODY_BYTES = 4 * 1024;

type Answer = { status: number; body: Record<string, unknown> };

/** Answers `/provider/*` requests; leaves every other request to the worker's app. */
export function providerSimulator(maxAmount: number): RawRoute {
  const byKey = new Map<string, Answer>();

  const authorize = (key: string | undefined, body: unknown): Answer => {
    const amount = (body as { amount?: unknown } | null)?.amount;
    if (!key || typeof amount !== 'number' || amount < 0) {
      return {
        status: 400,
        body: { code: 'BAD_REQUEST', message: 'idempotency-key and amount are required' },
      };
    }
    let answer = byKey.get(key);
    if (!answer) {
      answer =
        amount > maxAmount
          ? {
              status: 402,
              body: {
                code: 'AMOUNT_LIMIT_EXCEEDED',
                message: `amount ${amount} exceeds the limit of ${maxAmount}`,
              },
            }
          : { status: 201, body: { authorization_id: `auth_${randomUUID()}`, status: 'approved' } };
      byKey.set(key, answer);
      // Remember a bounded window of keys: enough for any retry, never an unbounded map.
      if (byKey.size > MAX_REMEMBERED_KEYS) byKey.delete(byKey.keys().next().value!);
    }
    return answer;
  };

  return (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith('/provider/')) return false;
    const voided = /^\/provider\/authorizations\/([^/]+)\/void$/.exec(path);
    if (req.method !== 'POST' || (path !== '/provider/authorizations' && !voided)) {
      send(res, { status: 404, body: { code: 'NOT_FOUND', message: `no ${req.method} ${path}` } });
      return true;
    }
    readJson(req, (body) => {
      if (body === undefined) {
        return send(res, {
          status: 400,
          body: { code: 'BAD_REQUEST', message: 'body is not JSON' },
        });
      }
      if (voided) {
        return send(res, {
          status: 200,
          body: { authorization_id: decodeURIComponent(voided[1]!), status: 'voided' },
        });
      }
      send(res, authorize(header(req, 'idempotency-key'), body));
    });
    return true;
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The request's JSON body, or undefined when it is too large or not JSON. */
function readJson(req: IncomingMessage, done: (body: unknown) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return done(undefined);
    try {
      done(size === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown));
    } catch {
      done(undefined);
    }
  });
}

function send(res: ServerResponse, { status, body }: Answer): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
