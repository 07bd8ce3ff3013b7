/**
 * Inventory read API and stock administration. A rejected reservation is kept with its reason
 * (out of stock, unknown SKU); an order the worker never saw is a 404.
 */
import express, { Router } from 'express';
import { Database } from '../../lib/db';
import { notFound, sendProblem } from '../../lib/http/problem';
import { compileValidator } from '../../lib/validation';
import { idPattern } from '../../sagas/contracts/envelope';

const validateStockUpdate = compileValidator<{ available: number }>({
  type: 'object',
  additionalProperties: false,
  required: ['available'],
  properties: { available: { type: 'integer', minimum: 0, maximum: 1_000_000_000 } },
});
const skuPattern = new RegExp(idPattern);

export function inventoryRoutes(db: Database): Router {
  const router = Router();
  router.get('/stock', async (_req, res) => {
    res.json({ stock: await db('stock').select('sku', 'available', 'reserved').orderBy('sku') });
  });
  router.get('/stock/:sku', async (req, res) => {
    const row = await db('stock')
      .select('sku', 'available', 'reserved')
      .where({ sku: req.params.sku })
      .first();
    if (!row) return notFound(res, `unknown SKU ${req.params.sku}`);
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
  router.get('/reservations/:orderId', async (req, res) => {
    const row = await db('reservations')
      .select('order_id', 'status', 'items', 'reason', 'created_at', 'updated_at')
      .where({ order_id: req.params.orderId })
      .first();
    if (!row) return notFound(res, `no reservation for order ${req.params.orderId}`);
    res.json(row);
  });
  return router;
}
