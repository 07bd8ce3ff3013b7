/**
 * The coordinator's OpenAPI 3.1 document: every route of the order, saga and admin APIs,
 * described with the very schemas the routes validate with (sagas/contracts/http).
 */
import { Operation, buildDocument, invalidRequest, problem } from '../../lib/http/openapi';
import { opsOperations, opsTag } from '../../lib/http/ops-openapi';
import {
  orderAcceptedSchema,
  orderListSchema,
  orderViewSchema,
  sagaCountsSchema,
  sagaDetailsSchema,
  timelineSchema,
} from '../../sagas/contracts/http/order-responses';
import {
  MAX_WAIT_SECONDS,
  orderListQuerySchema,
  orderPathSchema,
  orderReadQuerySchema,
  orderRequestSchema,
  sagaPathSchema,
  timelineQuerySchema,
} from '../../sagas/contracts/http/orders';
import { adminOperations } from './openapi-admin';

const noOrder = problem('No such order');
const preferenceApplied = {
  'Preference-Applied': {
    description: 'wait=S when the request was held for the outcome',
    schema: { type: 'string', examples: ['wait=30'] },
  },
};

const orderOperations: Operation[] = [
  {
    method: 'post',
    path: '/orders',
    operationId: 'submitOrder',
    tag: 'orders',
    summary: 'Place an order (idempotent by order_id)',
    description:
      'Starts the order saga. The same order_id with the same JSON body again is a 200 with the existing order, at any time; with a different body a 409. With `Prefer: wait=S` the request is held until the new order is COMPLETED, CANCELLED or STUCK (201 with the order) or S seconds pass (the usual 202).',
    headers: [
      {
        name: 'Prefer',
        description: `RFC 7240 \`wait=S\` (0 < S ≤ ${MAX_WAIT_SECONDS}): hold the request for the outcome`,
        schema: { type: 'string', examples: ['wait=30'] },
      },
    ],
    body: { schema: orderRequestSchema, required: true },
    responses: {
      200: {
        description: 'A repeat of an existing order: that order as it is now',
        schema: orderViewSchema,
        headers: preferenceApplied,
      },
      201: {
        description: 'With `Prefer: wait=S`: the new order settled in time',
        schema: orderViewSchema,
        headers: {
          ...preferenceApplied,
          Location: { description: '/orders/{order_id}', schema: { type: 'string' } },
        },
      },
      202: {
        description: 'Accepted; follow the Location',
        schema: orderAcceptedSchema,
        headers: { Location: { description: '/orders/{order_id}', schema: { type: 'string' } } },
      },
      400: invalidRequest,
      409: problem('The order_id exists with a different body'),
      413: problem('The body is over 64 KiB'),
      415: problem('The body is not JSON'),
    },
  },
  {
    method: 'get',
    path: '/orders',
    operationId: 'listOrders',
    tag: 'orders',
    summary: 'List orders, newest first, with filters and a cursor',
    query: orderListQuerySchema,
    responses: { 200: { description: 'A page', schema: orderListSchema }, 400: invalidRequest },
  },
  {
    method: 'get',
    path: '/orders/{order_id}',
    operationId: 'getOrder',
    tag: 'orders',
    summary: 'Read an order; `wait` holds the request until it settles',
    pathParameters: orderPathSchema,
    query: orderReadQuerySchema,
    responses: {
      200: { description: 'The order', schema: orderViewSchema },
      400: invalidRequest,
      404: noOrder,
    },
  },
  timelineOperation('/orders/{order_id}/timeline', 'getOrderTimeline', orderPathSchema),
  timelineOperation('/sagas/{saga_id}/timeline', 'getSagaTimeline', sagaPathSchema),
  {
    method: 'get',
    path: '/sagas/counts',
    operationId: 'countSagas',
    tag: 'sagas',
    summary: 'How many sagas are in each status right now',
    responses: {
      200: { description: 'The counts', schema: sagaCountsSchema },
      400: invalidRequest,
    },
  },
  {
    method: 'get',
    path: '/sagas/{saga_id}',
    operationId: 'getSaga',
    tag: 'sagas',
    summary: 'The saga behind an order: definition version, machine state, deadline',
    pathParameters: sagaPathSchema,
    responses: {
      200: { description: 'The saga', schema: sagaDetailsSchema },
      400: invalidRequest,
      404: problem('No such saga'),
    },
  },
];

function timelineOperation(
  path: string,
  operationId: string,
  pathParameters: Operation['pathParameters'],
): Operation {
  return {
    method: 'get',
    path,
    operationId,
    tag: 'sagas',
    summary: 'The saga timeline; `after` and `wait` follow a running saga',
    description:
      'Every entry of the saga history in order. With `after=N` only the entries with a larger `seq`; with `wait=S` as well, the request is held until there are some or S seconds pass.',
    pathParameters: pathParameters,
    query: timelineQuerySchema,
    responses: {
      200: { description: 'The timeline', schema: timelineSchema },
      400: invalidRequest,
      404: problem('No such order or saga'),
    },
  };
}

/** The document, built once at start. */
export function coordinatorDocument(): object {
  return buildDocument(
    {
      title: 'order-saga-engine coordinator',
      version: '1.0.0',
      description:
        'Accepts orders and drives each one as a saga over the payment, inventory and shipping workers. JSON in and out; every error is application/problem+json.',
      tags: [
        { name: 'orders', description: 'Place, read and list orders' },
        { name: 'sagas', description: 'Saga timelines and details' },
        { name: 'admin', description: 'Operators: STUCK sagas, replay, cancel' },
        { name: 'dead letters', description: 'Operators: dead-letter queues' },
        { name: 'faults', description: 'Operators: runtime failure injection' },
        opsTag,
      ],
    },
    [...orderOperations, ...adminOperations, ...opsOperations],
  );
}
