/**
 * A worker's OpenAPI 3.1 document: its own read API (described by the worker) and the
 * endpoints every service serves.
 */
import { Operation, buildDocument } from '../../lib/http/openapi';
import { opsOperations, opsTag } from '../../lib/http/ops-openapi';

export interface WorkerApi {
  name: 'payment' | 'inventory' | 'shipping';
  description: string;
  operations: readonly Operation[];
}

export function workerDocument({ name, description, operations }: WorkerApi): object {
  return buildDocument(
    {
      title: `order-saga-engine ${name} worker`,
      version: '1.0.0',
      description: `${description} Records are never deleted; an order the worker never saw is a 404. Every error is application/problem+json.`,
      tags: [{ name, description: `The ${name} read API` }, opsTag],
    },
    [...operations, ...opsOperations],
  );
}
