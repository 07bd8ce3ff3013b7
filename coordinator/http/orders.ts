/** The order API of SPEC §4: submit, read, list, and the saga timeline. */
import express, { Request, Response, Router } from 'express';
import { Database } from '../../lib/db';
import { PagingQuery, encodeCursor, isUuid, parsePaging } from '../../lib/http/paging';
import { notFound, sendProblem } from '../../lib/http/problem';
import { compileValidator } from '../../lib/validation';
import {
  MAX_ORDER_BODY_BYTES,
  OrderRequest,
  orderRequestSchema,
} from '../../sagas/contracts/order-request';
import { orderStatuses } from '../../sagas/order/status';
import { OrderIntake } from '../order-intake';
import { OrderWaiters } from '../order-waiters';
import {
  MAX_WAIT_SECONDS,
  clientGone,
  followTimeline,
  isSettled,
  preferredWaitSeconds,
  readWhenSettled,
} from './order-wait';
import { OrderRow, findOrder, findSaga, listOrders, timelineOf } from '../repositories/orders';

const validateOrder = compileValidator<OrderRequest>(orderRequestSchema);

export interface OrderRoutesOptions {
  db: Database;
  intake: OrderIntake;
  waiters: OrderWaiters;
  faultInjection: boolean;
}

export function orderRoutes({ db, intake, waiters, faultInjection }: OrderRoutesOptions): Router {
  const router = Router();
  const json = express.json({ limit: MAX_ORDER_BODY_BYTES, type: () => true, strict: false });

  router.post('/orders', requireJson, json, async (req, res) => {
    const result = validateOrder(req.body);
    if (!result.ok) return badRequest(res, result.errors);
    const order = result.value;
    if (!faultInjection && (order.force_fail !== undefined || order.simulate !== undefined)) {
      return badRequest(res, ['force_fail and simulate need FAULT_INJECTION=on']);
    }
    const outcome = await intake.submit(order);
    if (outcome.kind === 'conflict') {
      return sendProblem(res, {
        status: 409,
        title: 'Conflict',
        detail: `order ${order.order_id} exists with a different body`,
      });
    }
    const { order_id, saga_id, status } = outcome.order;
    const waitSeconds = preferredWaitSeconds(req.get('prefer'));
    const settled =
      waitSeconds === undefined
        ? undefined
        : await readWhenSettled(db, waiters, order_id, waitSeconds, clientGone(res), outcome.order);
    res.location(`/orders/${order_id}`);
    const applied = () => res.set('Preference-Applied', `wait=${waitSeconds}`);
    if (outcome.kind === 'created') {
      if (settled && isSettled(settled)) return applied().status(201).json(present(settled));
      return res.status(202).json({ order_id, saga_id, status: settled?.status ?? status });
    }
    if (settled) applied();
    return res.status(200).json(present(settled ?? outcome.order));
  });

  router.get('/orders', async (req, res) => {
    const query = parseListQuery(req);
    if ('errors' in query) return badRequest(res, query.errors);
    const page = await listOrders(db, query);
    res.json({
      orders: page.orders.map(present),
      next_cursor: page.next ? encodeCursor(page.next) : null,
    });
  });

  router.get('/orders/:orderId', async (req, res) => {
    const wait = parseWait(req.query.wait);
    if (typeof wait === 'string') return badRequest(res, [wait]);
    const order =
      wait === undefined
        ? await findOrder(db, req.params.orderId)
        : await readWhenSettled(db, waiters, req.params.orderId, wait, clientGone(res));
    if (!order) return notFound(res, `no order ${req.params.orderId}`);
    res.json(present(order));
  });

  router.get('/orders/:orderId/timeline', async (req, res) => {
    const wait = parseWait(req.query.wait);
    const after = parseAfter(req.query.after);
    const problems = [wait, after].filter((v): v is string => typeof v === 'string');
    if (problems.length > 0) return badRequest(res, problems);
    const order = await findOrder(db, req.params.orderId);
    if (!order) return notFound(res, `no order ${req.params.orderId}`);
    const read = () => timelineBody(db, order.order_id, order.saga_id, after as number);
    if (wait === undefined) return res.json(await read());
    const body = await followTimeline(
      waiters,
      order.order_id,
      wait as number,
      read,
      clientGone(res),
    );
    if (body) res.json(body);
  });

  router.get('/sagas/:sagaId/timeline', async (req, res) => {
    const sagaId = req.params.sagaId;
    const order = isUuid(sagaId) ? await findSaga(db, sagaId) : undefined;
    if (!order) return notFound(res, `no saga ${sagaId}`);
    res.json(await timelineBody(db, order.order_id, order.saga_id));
  });

  return router;
}

/** `?after=N`: only timeline entries with a larger sequence number. */
function parseAfter(value: unknown): number | string {
  if (value === undefined) return 0;
  if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return Number(value);
  return 'after: must be a timeline sequence number (an integer ≥ 0)';
}

/** `?wait=S`: seconds to hold the request for the order to settle (0 < S ≤ 60). */
function parseWait(value: unknown): number | undefined | string {
  if (value === undefined) return undefined;
  const seconds = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (seconds > 0 && seconds <= MAX_WAIT_SECONDS) return seconds;
  return `wait: must be a number of seconds, more than 0 and at most ${MAX_WAIT_SECONDS}`;
}

function requireJson(req: Request, res: Response, next: () => void): void {
  if (!req.is('application/json') && !req.is('application/*+json')) {
    return sendProblem(res, {
      status: 415,
      title: 'Unsupported Media Type',
      detail: 'send the order as Content-Type: application/json',
    });
  }
  next();
}

function badRequest(res: Response, errors: string[]): void {
  sendProblem(res, { status: 400, title: 'Bad Request', detail: errors.join('; '), errors });
}

export function present(order: OrderRow) {
  return {
    order_id: order.order_id,
    saga_id: order.saga_id,
    status: order.status,
    step: order.step,
    items: order.items,
    total: order.total,
    ...(order.reason ? { reason: order.reason } : {}),
    created_at: order.created_at.toISOString(),
    updated_at: order.updated_at.toISOString(),
  };
}

async function timelineBody(db: Database, orderId: string, sagaId: string, afterSeq = 0) {
  // Read together, so the status is never older than the last event listed.
  const [order, events] = await Promise.all([
    findOrder(db, orderId),
    timelineOf(db, sagaId, afterSeq),
  ]);
  return {
    order_id: orderId,
    saga_id: sagaId,
    status: order?.status,
    events: events.map((e) => ({ seq: e.seq, at: e.at.toISOString(), type: e.type, ...e.details })),
  };
}

type ListQuery = PagingQuery & { status?: string };

function parseListQuery(req: Request): ListQuery | { errors: string[] } {
  const errors: string[] = [];
  const { status } = req.query;
  const query: ListQuery = parsePaging(req.query, errors);
  if (status !== undefined) {
    if (typeof status !== 'string' || !(orderStatuses as readonly string[]).includes(status)) {
      errors.push(`status: must be one of ${orderStatuses.join(', ')}`);
    } else query.status = status;
  }
  return errors.length > 0 ? { errors } : query;
}
