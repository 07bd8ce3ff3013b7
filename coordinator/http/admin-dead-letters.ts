/** Dead-letter queues for operators: list (paged), replay to the origin queue, purge. */
import { Request, Response, Router } from 'express';
import { Database } from '../../lib/db';
import { validBody, validParams, validQuery } from '../../lib/http/inputs';
import { badRequest, notFound } from '../../lib/http/problem';
import { compileTextValidator, compileValidator } from '../../lib/validation';
import {
  DeadLetterListQuery,
  DeadLetterReplayBody,
  deadLetterListQuerySchema,
  deadLetterPathSchema,
  deadLetterReplayBodySchema,
  noQuerySchema,
} from '../../sagas/contracts/http/admin';
import { DeadLetterAdmin, deadLetterQueues } from '../admin/dead-letters';
import { OperatorActions } from '../admin/operator-actions';
import { stuckAmong } from '../repositories/orders';
import { actionRequest } from './admin-actor';

const listQuery = compileTextValidator<DeadLetterListQuery>(deadLetterListQuerySchema);
const noQuery = compileTextValidator<object>(noQuerySchema);
const queuePath = compileTextValidator<{ queue: string }>(deadLetterPathSchema);
const replayBody = compileValidator<DeadLetterReplayBody>(deadLetterReplayBodySchema);

/** Sagas named in a replay's answer; the rest are counted in `resumed`. */
const MAX_NAMED = 500;

const noQueue = (params: Record<string, string>) => `no dead-letter queue ${params.queue}`;

export function deadLetterRoutes(options: {
  db: Database;
  actions: OperatorActions;
  deadLetters: DeadLetterAdmin;
}): Router {
  const { db, actions, deadLetters } = options;
  const router = Router();

  router.get('/admin/dlq', async (req, res) => {
    const query = validQuery(req, res, listQuery);
    if (!query) return;
    if (query.queue !== undefined && !deadLetterQueues.includes(query.queue)) {
      return badRequest(res, [`queue: must be one of ${deadLetterQueues.join(', ')}`]);
    }
    if (query.cursor !== undefined && query.queue === undefined) {
      return badRequest(res, ['cursor: a cursor pages through one queue; give its queue too']);
    }
    const listed = await deadLetters.list({
      ...(query.queue ? { queues: [query.queue] } : {}),
      limit: query.limit,
      ...(query.cursor ? { afterId: Number(query.cursor) } : {}),
    });
    const obsolete = await obsoleteAmong(
      db,
      listed.flatMap((q) => q.messages),
    );
    res.json({
      queues: listed.map((q) => ({
        ...q,
        messages: q.messages.map((m) => ({ ...m, obsolete: obsolete(m) })),
      })),
    });
  });

  router.post('/admin/dlq/:queue/replay', async (req: Request, res: Response) => {
    const params = knownQueue(req, res);
    const query = params && validQuery(req, res, noQuery);
    const body = query && validBody(req, res, replayBody, { optional: true });
    if (!params || !query || !body) return;
    const who = actionRequest(req, res, {}, false);
    if (!who) return;
    const resumed: string[] = [];
    let resumedCount = 0;
    // Window by window: the sagas these commands left STUCK resume (the replay re-sends with the
    // same command id), and memory holds one window, not the queue.
    const replayed = await deadLetters.replay(params.queue, body.message_ids, async (views) => {
      const sagaIds = [...new Set(views.flatMap((m) => (m.saga_id ? [m.saga_id] : [])))];
      const results = await actions.actOnMany(sagaIds, 'replay', who);
      const applied = results.filter((r) => r.result === 'applied').map((r) => r.saga_id);
      resumedCount += applied.length;
      resumed.push(...applied.slice(0, MAX_NAMED - resumed.length));
    });
    res.json({
      queue: params.queue,
      replayed: replayed.replayed,
      messages: replayed.messages,
      resumed_sagas: resumed,
      resumed: resumedCount,
    });
  });

  router.delete('/admin/dlq/:queue', async (req: Request, res: Response) => {
    const params = knownQueue(req, res);
    if (!params || !validQuery(req, res, noQuery)) return;
    res.json({ queue: params.queue, purged: await deadLetters.purge(params.queue) });
  });

  return router;
}

/** A dead letter whose saga is no longer STUCK (replayed, cancelled) is obsolete. */
async function obsoleteAmong(db: Database, messages: ReadonlyArray<{ saga_id: string | null }>) {
  const sagaIds = [...new Set(messages.flatMap((m) => (m.saga_id ? [m.saga_id] : [])))];
  const stuck = await stuckAmong(db, sagaIds);
  return (m: { saga_id: string | null }) => m.saga_id !== null && !stuck.has(m.saga_id);
}

function knownQueue(req: Request, res: Response): { queue: string } | undefined {
  const params = validParams(req, res, queuePath, noQueue);
  if (params && !deadLetterQueues.includes(params.queue)) {
    notFound(res, noQueue(params));
    return undefined;
  }
  return params;
}
