/**
 * The endpoints every service serves beside its own API: health, readiness, metrics and this
 * reference itself. Their answers are described here, next to the router that gives them.
 */
import { Operation, problem } from './openapi';

const statusOk = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { const: 'ok' } },
  examples: [{ status: 'ok' }],
} as const;

const unavailable = {
  type: 'object',
  required: ['status', 'reason'],
  additionalProperties: false,
  properties: {
    status: { const: 'unavailable' },
    reason: { type: 'string', description: 'Why the dependency cannot be reached' },
  },
  examples: [{ status: 'unavailable', reason: 'not connected to RabbitMQ' }],
} as const;

const ready = {
  type: 'object',
  required: ['status'],
  properties: { status: { const: 'ready' } },
  examples: [{ status: 'ready' }],
} as const;

const text = { type: 'string' } as const;
const tag = 'operations';

export const opsTag = {
  name: tag,
  description: 'Health, readiness, Prometheus metrics and this API reference',
};

export const opsOperations: readonly Operation[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    tag,
    ungated: true,
    summary: 'Liveness: the process is up',
    responses: { 200: { description: 'The process answers', schema: statusOk } },
  },
  {
    method: 'get',
    path: '/health/ready',
    operationId: 'getReadiness',
    tag,
    ungated: true,
    summary: 'Readiness: migrations, topology and consumers are done and both connections are up',
    responses: {
      200: { description: 'Ready to serve', schema: ready },
      503: problem('Starting, stopping, or a connection is down; `detail` says which'),
    },
  },
  {
    method: 'get',
    path: '/health/db',
    operationId: 'getDatabaseHealth',
    tag,
    ungated: true,
    summary: "The service's PostgreSQL database answers",
    responses: {
      200: { description: 'Reachable', schema: statusOk },
      503: { description: 'Not reachable', schema: unavailable, contentType: 'application/json' },
    },
  },
  {
    method: 'get',
    path: '/health/queue',
    operationId: 'getBrokerHealth',
    tag,
    ungated: true,
    summary: 'The service is connected to RabbitMQ',
    responses: {
      200: { description: 'Connected', schema: statusOk },
      503: { description: 'Not connected', schema: unavailable, contentType: 'application/json' },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tag,
    ungated: true,
    summary: 'Prometheus metrics (text exposition format)',
    responses: { 200: { description: 'The metrics', schema: text, contentType: 'text/plain' } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    tag,
    ungated: true,
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'The document', schema: { type: 'object' } } },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'getApiReference',
    tag,
    ungated: true,
    summary: 'The interactive API reference (works offline: no external assets)',
    responses: {
      200: { description: 'An HTML page', schema: text, contentType: 'text/html' },
      301: { description: 'To /docs/, under which the page loads its assets' },
    },
  },
];
