/** The admin API in the coordinator's OpenAPI document: sagas, dead letters, fault rules. */
import { Answer, Operation, invalidRequest, problem } from '../../lib/http/openapi';
import {
  actionQuerySchema,
  bulkReplayBodySchema,
  deadLetterListQuerySchema,
  deadLetterPathSchema,
  deadLetterReplayBodySchema,
  noQuerySchema,
  sagaActionBodySchema,
  sagaActionPathSchema,
  stuckSagasQuerySchema,
} from '../../sagas/contracts/http/admin';
import {
  actionResultSchema,
  bulkReplayResultSchema,
  deadLetterListSchema,
  deadLetterPurgeResultSchema,
  deadLetterReplayResultSchema,
  faultRuleListSchema,
  faultRuleRemovedSchema,
  faultRuleSchema,
  stuckSagaListSchema,
} from '../../sagas/contracts/http/admin-responses';
import {
  faultDeleteQuerySchema,
  faultListQuerySchema,
  faultRuleRequestSchema,
} from '../../sagas/contracts/http/fault-rules';

/** Every admin route answers these besides its own. */
const guarded = (responses: Record<number, Answer>): Record<number, Answer> => ({
  ...responses,
  401: problem('No admin token'),
  403: problem('A wrong admin token'),
});

const admin = (operation: Omit<Operation, 'admin'>): Operation => ({
  ...operation,
  admin: true,
  responses: guarded(operation.responses),
});

const dryRun =
  'With `dry_run=true` the answer lists the commands the action would send, and nothing is sent.';
const brokerDown = problem('Not connected to RabbitMQ; retry shortly');

const sagaActions: Operation[] = (['replay', 'cancel'] as const).map((action) =>
  admin({
    method: 'post',
    path: `/admin/sagas/{saga_id}/${action}`,
    operationId: `${action}Saga`,
    tag: 'admin',
    summary:
      action === 'replay'
        ? "Re-send the current step's command (same command id) and resume"
        : 'Compensate what was done and end CANCELLED (STUCK or in-flight sagas)',
    description: dryRun,
    pathParameters: sagaActionPathSchema,
    query: actionQuerySchema,
    body: { schema: sagaActionBodySchema, required: false },
    responses: {
      200: { description: 'Applied, or the dry run', schema: actionResultSchema },
      400: invalidRequest,
      404: problem('No such saga'),
      409: problem('Not allowed in the saga’s state (e.g. a terminal saga)'),
    },
  }),
);

export const adminOperations: Operation[] = [
  admin({
    method: 'get',
    path: '/admin/sagas',
    operationId: 'listStuckSagas',
    tag: 'admin',
    summary: 'STUCK sagas with the reason, how long, and a diagnosis',
    query: stuckSagasQuerySchema,
    responses: {
      200: { description: 'A page, longest stuck first', schema: stuckSagaListSchema },
      400: invalidRequest,
    },
  }),
  admin({
    method: 'post',
    path: '/admin/sagas/replay',
    operationId: 'replayStuckSagas',
    tag: 'admin',
    summary: 'Replay every STUCK saga (optionally by step, code or age)',
    description: dryRun,
    query: actionQuerySchema,
    body: { schema: bulkReplayBodySchema, required: false },
    responses: {
      200: { description: 'What was replayed', schema: bulkReplayResultSchema },
      400: invalidRequest,
    },
  }),
  ...sagaActions,
  admin({
    method: 'get',
    path: '/admin/dlq',
    operationId: 'listDeadLetters',
    tag: 'dead letters',
    summary: 'Peek at the dead-letter queues (the messages stay where they are)',
    query: deadLetterListQuerySchema,
    responses: {
      200: { description: 'Each queue with its first messages', schema: deadLetterListSchema },
      400: invalidRequest,
      503: brokerDown,
    },
  }),
  admin({
    method: 'post',
    path: '/admin/dlq/{queue}/replay',
    operationId: 'replayDeadLetters',
    tag: 'dead letters',
    summary: 'Send dead letters back to their origin queue; their sagas resume',
    description:
      'The listed `message_ids`, or every message without a body. A message leaves the dead-letter queue only once its republish is confirmed.',
    pathParameters: deadLetterPathSchema,
    query: noQuerySchema,
    body: { schema: deadLetterReplayBodySchema, required: false },
    responses: {
      200: { description: 'What was replayed', schema: deadLetterReplayResultSchema },
      400: invalidRequest,
      404: problem('No such dead-letter queue'),
      503: brokerDown,
    },
  }),
  admin({
    method: 'delete',
    path: '/admin/dlq/{queue}',
    operationId: 'purgeDeadLetters',
    tag: 'dead letters',
    summary: 'Purge a dead-letter queue',
    pathParameters: deadLetterPathSchema,
    query: noQuerySchema,
    responses: {
      200: { description: 'How many were purged', schema: deadLetterPurgeResultSchema },
      400: invalidRequest,
      404: problem('No such dead-letter queue'),
      503: brokerDown,
    },
  }),
  admin({
    method: 'get',
    path: '/admin/faults',
    operationId: 'listFaultRules',
    tag: 'faults',
    summary: 'The runtime failure-injection rules in force',
    query: faultListQuerySchema,
    responses: {
      200: { description: 'The rules', schema: faultRuleListSchema },
      400: invalidRequest,
    },
  }),
  admin({
    method: 'post',
    path: '/admin/faults',
    operationId: 'addFaultRule',
    tag: 'faults',
    summary: 'Add a failure-injection rule; every worker applies it at once',
    query: faultListQuerySchema,
    body: { schema: faultRuleRequestSchema, required: true },
    responses: {
      201: { description: 'The rule as stored', schema: faultRuleSchema },
      400: invalidRequest,
      409: problem('FAULT_INJECTION is off'),
    },
  }),
  admin({
    method: 'delete',
    path: '/admin/faults',
    operationId: 'removeFaultRules',
    tag: 'faults',
    summary: 'Remove one rule (`id`) or every rule',
    query: faultDeleteQuerySchema,
    responses: {
      200: { description: 'How many went', schema: faultRuleRemovedSchema },
      400: invalidRequest,
    },
  }),
];
