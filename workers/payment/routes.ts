/**
 * Payment read API: every authorization of an order, and every declined attempt with the
 * provider's reason. An order the worker never saw is a 404; records are never deleted.
 */
import { Router } from 'express';
import { Database } from '../../lib/db';
import { notFound } from '../../lib/http/problem';

interface StoredAuthorization {
  authorization_id: string;
  /** numeric(14,2), which pg returns as text so that nothing is lost. */
  amount: string;
  status: string;
  created_at: Date;
  updated_at: Date;
}

export function paymentRoutes(db: Database): Router {
  const router = Router();
  router.get('/payments/:orderId', async (req, res) => {
    const rows: StoredAuthorization[] = await db('authorizations')
      .select('authorization_id', 'amount', 'status', 'reason', 'created_at', 'updated_at')
      .where({ order_id: req.params.orderId })
      .orderBy('created_at');
    if (rows.length === 0) return notFound(res, `no payments for order ${req.params.orderId}`);
    // Whole cents below 10^12 are exact as JSON numbers: amounts in, amounts out.
    const authorizations = rows.map((row) => ({ ...row, amount: Number(row.amount) }));
    res.json({ order_id: req.params.orderId, authorizations });
  });
  return router;
}
