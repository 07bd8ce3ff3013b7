/** The order API: submit, read, list, and the saga timeline. */
import { Request, Response, Router } from 'express';
import { Database } from '../../lib/db';
import { validBody, validParams, validQuery } from '../../lib/http/inputs';
import { parseJson, requireJson } from '../../lib/http/json-body';
import { nextCursor, pageOf } from '../../lib/http/paging';
import { badRequest, notFound, sendProblem } from '../../lib/http/problem';
import { instantOf } from '../../lib/http/timestamps';
import { compileTextValidator, compileValidator } from '../../lib/validation';
import {
  MAX_ORDER_BODY_BYTES,
  OrderListQuery,
  OrderReadQuery,
  TimelineQuery,
  orderListQuerySchema,
  orderPathSchema,
  orderReadQuerySchema,
  orderRequestSchema,
  orderSubmitQuerySchema,
  sagaPathSchema,
  timelineQuerySchema,
} from '../../sagas/contracts/http/orders';
import { OrderRequest } from '../../sagas/contracts/order-request';
import { OrderIntake } from '../order-intake';
import { requestTrace } from '../../lib/telemetry/spans';
import { OrderWaiters } from '../order-waiters';
import {
  clientGone,
  followTimeline,
  isSettled,
  preferredWaitSeconds,
  readWhenSettled,
} from './order-wait';
import {
  OrderFilter,
  OrderRow,
  findOrder,
  findSaga,
  listOrders,
  timelineOf,
} from '../repositories/orders';

const validateOrder = compileValidator<OrderRequest>(orderRequestSchema);
const submitQuery = compileTextValidator<object>(orderSubmitQuerySchema);
const listQuery = compileTextValidator<OrderListQuery>(orderListQuerySchema);
const readQuery = compileTextValidator<OrderReadQuery>(orderReadQuerySchema);
const timelineQuery = compileTextValidator<TimelineQuery>(timelineQuerySchema);
const orderPath = compileTextValidator<{ order_id: string }>(orderPathSchema);
const sagaPath = compileTextValidator<{ saga_id: string }>(sagaPathSchema);

const noOrder = (params: Record<string, string>) => `no order ${params.order_id}`;
const noSaga = (params: Record<string, string>) => `no saga ${params.saga_id}`;

export interface OrderRoutesOptions {
  db: Database;
  intake: OrderIntake;
  waiters: OrderWaiters;
  faultInjection: boolean;
}

export function orderRoutes({ db, intake, waiters, faultInjection }: OrderRoutesOptions): Router {
  const router = Router();
  const json = [requireJson('the order'), parseJson(MAX_ORDER_BODY_BYTES)];

  router.post('/orders', ...json, async (req: Request, res: Response) => {
    if (!validQuery(req, res, submitQuery)) return;
    const order = validBody(req, res, validateOrder);
    if (!order) return;
    if (!faultInjection && (order.force_fail !== undefined || order.simulate !== undefined)) {
      return badRequest(res, ['force_fail and simulate need FAULT_INJECTION=on']);
    }
    const outcome = await intake.submit(order, requestTrace(req.get('traceparent') !== undefined));
    if (outcome.kind === 'conflict') {
      return sendProblem(res, {
        status: 409,
        title: 'Conflict',
        detail: `order ${order.order_id} exists with a different body`,
      });
    }
    const { order_id, saga_id, status } = outcome.order;
    const waitSeconds = preferredWaitSeconds(req.get('prefer'));
    // A saga created this instant cannot have settled yet; a repeat's row may be stale.
    const known = outcome.kind === 'created' ? outcome.order : undefined;
    const settled =
      waitSeconds === undefined
        ? undefined
        : await readWhenSettled(db, waiters, order_id, waitSeconds, clientGone(res), known);
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
    const query = validQuery(req, res, listQuery);
    if (!query) return;
    const filter = orderFilterOf(query, res);
    if (!filter) return;
    const page = await listOrders(db, filter);
    res.json({ orders: page.orders.map(present), next_cursor: nextCursor(page.next) });
  });

  router.get('/orders/:order_id', async (req, res) => {
    const params = validParams(req, res, orderPath, noOrder);
    if (!params) return;
    const query = validQuery(req, res, readQuery);
    if (!query) return;
    const order =
      query.wait === undefined
        ? await findOrder(db, params.order_id)
        : await readWhenSettled(db, waiters, params.order_id, query.wait, clientGone(res));
    if (!order) return notFound(res, noOrder(params));
    res.json(present(order));
  });

  /** The timeline, or its entries after `after`; `wait` holds the request until there are some. */
  const timeline = async (res: Response, order: OrderRow, query: TimelineQuery) => {
    const read = () => timelineBody(db, order.order_id, order.saga_id, query.after ?? 0);
    const body =
      query.wait === undefined
        ? await read()
        : await followTimeline(waiters, order.order_id, query.wait, read, clientGone(res));
    if (body) res.json(body);
  };

  router.get('/orders/:order_id/timeline', async (req: Request, res: Response) => {
    const params = validParams(req, res, orderPath, noOrder);
    if (!params) return;
    const query = validQuery(req, res, timelineQuery);
    if (!query) return;
    const order = await findOrder(db, params.order_id);
    if (!order) return notFound(res, noOrder(params));
    await timeline(res, order, query);
  });

  router.get('/sagas/:saga_id/timeline', async (req: Request, res: Response) => {
    const params = validParams(req, res, sagaPath, noSaga);
    if (!params) return;
    const query = validQuery(req, res, timelineQuery);
    if (!query) return;
    const order = await findSaga(db, params.saga_id);
    if (!order) return notFound(res, noSaga(params));
    await timeline(res, order, query);
  });

  return router;
}

/** The listing's filter, or undefined once a 400 has been sent for the parts a schema cannot judge. */
function orderFilterOf(query: OrderListQuery, res: Response): OrderFilter | undefined {
  const errors: string[] = [];
  const filter: OrderFilter = pageOf(query);
  if (query.status) filter.status = query.status;
  if (query.step) filter.step = query.step;
  if (query.user_id) filter.userId = query.user_id;
  for (const [name, key] of [
    ['created_after', 'createdAfter'],
    ['created_before', 'createdBefore'],
  ] as const) {
    const text = query[name];
    if (text === undefined) continue;
    const instant = instantOf(text);
    if (instant) filter[key] = instant;
    else errors.push(`${name}: must be an instant between the years 1 and 9999`);
  }
  if (errors.length === 0) return filter;
  badRequest(res, errors);
  return undefined;
}

export function present(order: OrderRow) {
  return {
    order_id: order.order_id,
    saga_id: order.saga_id,
    user_id: order.user_id,
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
