/**
 * Shipping read API: the shipments of an order, a REJECTED one with its reason and no tracking
 * number. An order the worker never saw is a 404; records are never deleted.
 */
import { Router } from 'express';
import { Database } from '../../lib/db';
import { notFound } from '../../lib/http/problem';

export function shippingRoutes(db: Database): Router {
  const router = Router();
  router.get('/shipments/:orderId', async (req, res) => {
    const shipments = await db('shipments')
      .select('shipment_id', 'tracking_number', 'status', 'reason', 'created_at', 'updated_at')
      .where({ order_id: req.params.orderId })
      .orderBy('created_at');
    if (shipments.length === 0)
      return notFound(res, `no shipments for order ${req.params.orderId}`);
    res.json({ order_id: req.params.orderId, shipments });
  });
  return router;
}
