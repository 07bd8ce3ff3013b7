/**
 * Payment read API: every authorization of an order, and every declined attempt with the
 * provider's reason. An order the worker never saw is a 404; records are never deleted.
 */
import { Router } from 'express';
import { Database } from '../../lib/db';
import { validParams } from '../../lib/http/inputs';
import { problem } from '../../lib/http/openapi';
import { notFound } from '../../lib/http/problem';
import { compileTextValidator } from '../../lib/validation';
import { orderPathSchema } from '../../sagas/contracts/http/orders';
import { paymentsSchema } from '../../sagas/contracts/http/workers';
import { WorkerApi } from '../runtime/openapi';

interface StoredAuthorization {
  authorization_id: string;
  /** numeric(14,2), which pg returns as text so that nothing is lost. */
  amount: string;
  status: string;
  created_at: Date;
  updated_at: Date;
}

const orderPath = compileTextValidator<{ order_id: string }>(orderPathSchema);
const noPayments = (params: Record<string, string>) => `no payments for order ${params.order_id}`;

export const paymentApi: WorkerApi = {
  name: 'payment',
  description: 'Authorizes and voids payments with the payment provider.',
  operations: [
    {
      method: 'get',
      path: '/payments/{order_id}',
      operationId: 'getPayments',
      tag: 'payment',
      summary: 'Every authorization of an order, declined attempts included',
      pathParameters: orderPathSchema,
      responses: {
        200: { description: 'The authorizations, oldest first', schema: paymentsSchema },
        404: problem('The worker never saw this order'),
      },
    },
  ],
};

export function paymentRoutes(db: Database): Router {
  const router = Router();
  router.get('/payments/:order_id', async (req, res) => {
    const params = validParams(req, res, orderPath, noPayments);
    if (!params) return;
    const rows: StoredAuthorization[] = await db('authorizations')
      .select('authorization_id', 'amount', 'status', 'reason', 'created_at', 'updated_at')
      .where({ order_id: params.order_id })
      .orderBy('created_at');
    if (rows.length === 0) return notFound(res, noPayments(params));
    // Whole cents below 10^12 are exact as JSON numbers: amounts in, amounts out.
    const authorizations = rows.map((row) => ({ ...row, amount: Number(row.amount) }));
    res.json({ order_id: params.order_id, authorizations });
  });
  return router;
}
