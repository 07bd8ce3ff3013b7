/**
 * A stand-in for the payment provider, served by the payment worker under /provider so the
 * system runs without an external account. It honours idempotency keys and declines amounts
 * above its limit (HTTP 402), like a card network would.
 */
import express, { Router } from 'express';
import { randomUUID } from 'node:crypto';

const MAX_REMEMBERED_KEYS = 100_000;

export function providerSimulator(maxAmount: number): Router {
  const byKey = new Map<string, { status: number; body: Record<string, unknown> }>();
  const router = Router();
  router.use(express.json({ limit: '4kb' }));

  router.post('/provider/authorizations', (req, res) => {
    const key = req.get('idempotency-key');
    const amount = (req.body as { amount?: unknown }).amount;
    if (!key || typeof amount !== 'number' || amount < 0) {
      res
        .status(400)
        .json({ code: 'BAD_REQUEST', message: 'idempotency-key and amount are required' });
      return;
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
    res.status(answer.status).json(answer.body);
  });

  router.post('/provider/authorizations/:id/void', (req, res) => {
    res.status(200).json({ authorization_id: req.params.id, status: 'voided' });
  });
  return router;
}
