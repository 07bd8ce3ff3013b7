/**
 * Admin API authentication: `Authorization: Bearer $ADMIN_TOKEN`, 401 without a token, 403 with
 * a wrong one. Tokens are compared as SHA-256 digests with timingSafeEqual, so neither their
 * content nor their length leaks through timing. Several tokens may be accepted at once, so
 * that a new one can be handed out before the old one is withdrawn; every one is compared, so
 * which of them matched does not leak either. With no token configured, nothing gets in.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendProblem } from '../../lib/http/problem';

const digest = (text: string) => createHash('sha256').update(text).digest();

export function requireAdminToken(adminTokens: readonly string[]): RequestHandler {
  const accepted = adminTokens.filter((token) => token !== '').map(digest);
  const expected = accepted.length > 0 ? accepted : undefined;
  return (req, res, next) => {
    const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer realm="admin"');
      return sendProblem(res, {
        status: 401,
        title: 'Unauthorized',
        detail: expected
          ? 'send Authorization: Bearer <ADMIN_TOKEN>'
          : 'the admin API is off: set ADMIN_TOKEN',
      });
    }
    if (!expected || !matchesAny(digest(match[1]!.trim()), expected)) {
      return sendProblem(res, { status: 403, title: 'Forbidden', detail: 'wrong admin token' });
    }
    next();
  };
}

function matchesAny(given: Buffer, accepted: readonly Buffer[]): boolean {
  let matched = false;
  for (const token of accepted) matched = timingSafeEqual(given, token) || matched;
  return matched;
}
