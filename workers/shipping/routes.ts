/**
 * Shipping read API: the shipments of an order, a REJECTED one with its reason and no tracking
 * number. An order the worker never saw is a 404; records are never deleted.
 */
import { Router } from 'express';
import { Database } from '../../lib/db';
import { validParams } from '../../lib/http/inputs';
import { problem } from '../../lib/http/openapi';
import { notFound } from '../../lib/http/problem';
import { compileTextValidator } from '../../lib/validation';
import { orderPathSchema } from '../../sagas/contracts/http/orders';
import { shipmentsSchema } from '../../sagas/contracts/http/workers';
import { WorkerApi } from '../runtime/openapi';

// An id that cannot exist (a NUL, which PostgreSQL's text refuses) is a 404 before any query.
const orderPath = compileTextValidator<{ order_id: string }>(orderPathSchema);
const noShipments = (params: Record<string, string>) => `no shipments for order ${params.order_id}`;

export const shippingApi: WorkerApi = {
  name: 'shipping',
  description: 'Creates and cancels shipments.',
  operations: [
    {
      method: 'get',
      path: '/shipments/{order_id}',
      operationId: 'getShipments',
      tag: 'shipping',
      summary: 'Every shipment of an order, rejected ones included',
      pathParameters: orderPathSchema,
      responses: {
        200: { description: 'The shipments, oldest first', schema: shipmentsSchema },
        404: problem('The worker never saw this order'),
      },
    },
  ],
};

export function shippingRoutes(db: Database): Router {
  const router = Router();
  router.get('/shipments/:order_id', async (req, res) => {
    const params = validParams(req, res, orderPath, noShipments);
    if (!params) return;
    const shipments = await db('shipments')
      .select('shipment_id', 'tracking_number', 'status', 'reason', 'created_at', 'updated_at')
      .where({ order_id: params.order_id })
      .orderBy('created_at');
    if (shipments.length === 0) return notFound(res, noShipments(params));
    res.json({ order_id: params.order_id, shipments });
  });
  return router;
}
