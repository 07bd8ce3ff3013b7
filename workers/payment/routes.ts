/**
 * Payment read API: every authorization of an order, and every declined attempt with the
 * provider's reason. An order the worker never saw is a 404; records are never deleted.
 */
import { Router } from 'express';
import { Database } from '../../lib/db';
import { notFound } from '../../lib/http/problem';

export function paymentRoutes(db: Database): Router {
  const router = Router();
  router.get('/payments/:orderId', async (req, res) => {
    const authorizations = await db('authorizations')
      .select('authorization_id', 'amount', 'status', 'reason', 'created_at', 'updated_at')
      .where({ order_id: req.params.orderId })
      .orderBy('created_at');
    if (authorizations.length === 0)
      return notFound(res, `no payments for order ${req.params.orderId}`);
    res.json({ order_id: req.params.orderId, authorizations });
  });
  return router;
}
