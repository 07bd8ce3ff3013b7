/**
 * Inventory read API and stock administration. A rejected reservation is kept with its reason
 * (out of stock, unknown SKU); an order the worker never saw is a 404.
 */
import express, { Router } from 'express';
import { Database } from '../../lib/db';
import { validParams } from '../../lib/http/inputs';
import { problem } from '../../lib/http/openapi';
import { notFound, sendProblem } from '../../lib/http/problem';
import { compileTextValidator, compileValidator } from '../../lib/validation';
import { idPattern } from '../../sagas/contracts/envelope';
import { orderPathSchema } from '../../sagas/contracts/http/orders';
import {
  reservationSchema,
  skuPathSchema,
  stockLevelSchema,
  stockListSchema,
  stockUpdateSchema,
} from '../../sagas/contracts/http/workers';
import { WorkerApi } from '../runtime/openapi';

const validateStockUpdate = compileValidator<{ available: number }>(stockUpdateSchema);
const skuPattern = new RegExp(idPattern);
// An id that cannot exist (a NUL, which PostgreSQL's text refuses) is a 404 before any query.
const skuPath = compileTextValidator<{ sku: string }>(skuPathSchema);
const orderPath = compileTextValidator<{ order_id: string }>(orderPathSchema);
const unknownSku = (params: Record<string, string>) => `unknown SKU ${params.sku}`;
const noReservation = (params: Record<string, string>) =>
  `no reservation for order ${params.order_id}`;

const unknown = problem('Unknown SKU');

export const inventoryApi: WorkerApi = {
  name: 'inventory',
  description: 'Reserves and releases stock.',
  operations: [
    {
      method: 'get',
      path: '/stock',
      operationId: 'listStock',
      tag: 'inventory',
      summary: 'Every SKU with its available and reserved units',
      responses: { 200: { description: 'By SKU', schema: stockListSchema } },
    },
    {
      method: 'get',
      path: '/stock/{sku}',
      operationId: 'getStock',
      tag: 'inventory',
      summary: 'One SKU',
      pathParameters: skuPathSchema,
      responses: { 200: { description: 'Its levels', schema: stockLevelSchema }, 404: unknown },
    },
    {
      method: 'put',
      path: '/stock/{sku}',
      operationId: 'setStock',
      tag: 'inventory',
      summary: 'Create a SKU or set its available units (reserved units stay)',
      pathParameters: skuPathSchema,
      body: { schema: stockUpdateSchema, required: true },
      responses: {
        200: { description: 'Its levels now', schema: stockLevelSchema },
        400: problem('An invalid SKU or body; `errors` lists every problem'),
      },
    },
    {
      method: 'get',
      path: '/reservations/{order_id}',
      operationId: 'getReservation',
      tag: 'inventory',
      summary: 'The reservation of an order, a rejected one with its reason',
      pathParameters: orderPathSchema,
      responses: {
        200: { description: 'The reservation', schema: reservationSchema },
        404: problem('The worker never saw this order'),
      },
    },
  ],
};

export function inventoryRoutes(db: Database): Router {
  const router = Router();
  router.get('/stock', async (_req, res) => {
    res.json({ stock: await db('stock').select('sku', 'available', 'reserved').orderBy('sku') });
  });
  router.get('/stock/:sku', async (req, res) => {
    const params = validParams(req, res, skuPath, unknownSku);
    if (!params) return;
    const row = await db('stock')
      .select('sku', 'available', 'reserved')
      .where({ sku: params.sku })
      .first();
    if (!row) return notFound(res, unknownSku(params));
    res.json(row);
  });
  router.put('/stock/:sku', express.json({ limit: '4kb' }), async (req, res) => {
    const { sku } = req.params;
    const result = validateStockUpdate(req.body);
    const errors = [
      ...(skuPattern.test(sku) ? [] : ['sku: must match ' + idPattern]),
      ...(result.ok ? [] : result.errors),
    ];
    if (!result.ok || errors.length > 0) {
      return sendProblem(res, {
        status: 400,
        title: 'Bad Request',
        detail: errors.join('; '),
        errors,
      });
    }
    const [row] = await db('stock')
      .insert({ sku, available: result.value.available })
      .onConflict('sku')
      .merge({ available: result.value.available, updated_at: db.fn.now() })
      .returning(['sku', 'available', 'reserved']);
    res.json(row);
  });
  router.get('/reservations/:order_id', async (req, res) => {
    const params = validParams(req, res, orderPath, noReservation);
    if (!params) return;
    const row = await db('reservations')
      .select('order_id', 'status', 'items', 'reason', 'created_at', 'updated_at')
      .where({ order_id: params.order_id })
      .first();
    if (!row) return notFound(res, noReservation(params));
    res.json(row);
  });
  return router;
}
