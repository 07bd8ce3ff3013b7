/**
 * Requests of the admin API (`/admin/*`, behind the admin token): STUCK sagas, replay and
 * cancel, dead-letter queues. Fault rules have their own file.
 */
import {
  failureCodeSchema,
  freeText,
  lineOfText,
  noQuerySchema,
  pathSchema,
  querySchema,
  sagaIdSchema,
  stepSchema,
} from './common';
import { PagingParameters, pagingQueryProperties } from './paging';

/** Ten years: longer than any saga waits, and far inside PostgreSQL's interval range. */
export const MAX_AGE_SECONDS = 315_360_000;

const minAgeSeconds = {
  type: 'number',
  minimum: 0,
  maximum: MAX_AGE_SECONDS,
  description: `Only sagas STUCK for at least this many seconds (at most ${MAX_AGE_SECONDS})`,
} as const;

export const actorSchema = lineOfText(64, 'Who acts; recorded on the timeline');

export const stuckSagasQuerySchema = querySchema({
  status: { enum: ['STUCK'], description: 'Only STUCK sagas are listed here; see GET /orders' },
  step: { ...stepSchema, description: 'Only sagas stuck at this step' },
  code: { ...failureCodeSchema, description: 'Only sagas whose reason has this code' },
  min_age_seconds: minAgeSeconds,
  ...pagingQueryProperties,
});

export interface StuckSagasQuery extends PagingParameters {
  status?: 'STUCK';
  step?: string;
  code?: string;
  min_age_seconds?: number;
}

/** Replay and cancel: `dry_run=true` answers with the commands and sends nothing. */
export const actionQuerySchema = querySchema({
  dry_run: {
    type: 'boolean',
    default: false,
    description: 'Answer with the commands the action would send, and send nothing',
  },
});

export interface ActionQuery {
  dry_run: boolean;
}

const who = {
  actor: { ...actorSchema, description: 'Who acts (default: the X-Admin-Actor header, or admin)' },
  reason: freeText(500, 'Why; recorded on the timeline'),
} as const;

export const sagaActionPathSchema = pathSchema({ saga_id: sagaIdSchema });

/** POST /admin/sagas/{saga_id}/replay and /cancel; the body is optional. */
export const sagaActionBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: who,
  examples: [{ actor: 'alice', reason: 'provider fixed' }],
} as const;

export interface SagaActionBody {
  actor?: string;
  reason?: string;
}

/** POST /admin/sagas/replay: every STUCK saga matching the filters; the body is optional. */
export const bulkReplayBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...who,
    step: { ...stepSchema, description: 'Only sagas stuck at this step' },
    code: { ...failureCodeSchema, description: 'Only sagas whose reason has this code' },
    min_age_seconds: minAgeSeconds,
  },
  examples: [{ step: 'payment', reason: 'provider back' }],
} as const;

export interface BulkReplayBody extends SagaActionBody {
  step?: string;
  code?: string;
  min_age_seconds?: number;
}

const queueSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9._-]{1,255}$',
  description: 'A dead-letter queue, e.g. payment.commands.dlq',
  examples: ['payment.commands.dlq'],
} as const;

export const deadLetterListQuerySchema = querySchema({
  queue: { ...queueSchema, description: 'Only this dead-letter queue' },
  limit: { ...pagingQueryProperties.limit, description: 'Messages shown per queue' },
  cursor: {
    type: 'string',
    pattern: '^[1-9][0-9]{0,15}$',
    description: "The queue's `next_cursor` of the previous page (opaque; needs `queue`)",
  },
});

export interface DeadLetterListQuery {
  queue?: string;
  limit: number;
  cursor?: string;
}

export const deadLetterPathSchema = pathSchema({ queue: queueSchema });

/** POST /admin/dlq/{queue}/replay: the listed messages, or all of them without a body. */
export const deadLetterReplayBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    message_ids: {
      type: 'array',
      maxItems: 10_000,
      items: { type: 'string', minLength: 1, maxLength: 128 },
      description: 'The message_id of each dead letter to replay',
    },
  },
} as const;

export interface DeadLetterReplayBody {
  message_ids?: string[];
}

export { noQuerySchema };
