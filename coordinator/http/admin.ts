/** The admin API of SPEC §4: stuck sagas, replay, cancel, dead letters, runtime fault rules. */
import express, { Request, Response, Router } from 'express';
import { encodeCursor, isUuid, parsePaging } from '../../lib/http/paging';
import { notFound, sendProblem } from '../../lib/http/problem';
import { compileValidator } from '../../lib/validation';
import { FaultRuleRequest, faultRuleRequestSchema } from '../../sagas/contracts/fault-rules';
import { steps } from '../../sagas/contracts/envelope';
import { DeadLetterAdmin, deadLetterQueues } from '../admin/dead-letters';
import { FaultRules } from '../admin/fault-rules';
import {
  ActionRequest,
  ActionResult,
  OperatorAction,
  OperatorActions,
} from '../admin/operator-actions';
import { StuckFilter, listStuckSagas } from '../admin/stuck-sagas';
import { Database } from '../../lib/db';
import { requireAdminToken } from './admin-auth';

const validateRule = compileValidator<FaultRuleRequest>(faultRuleRequestSchema);
const validateActionBody = compileValidator<{
  actor?: string;
  reason?: string;
  step?: string;
  code?: string;
  min_age_seconds?: number;
}>({
  type: 'object',
  additionalProperties: false,
  properties: {
    actor: { type: 'string', minLength: 1, maxLength: 64 },
    reason: { type: 'string', minLength: 1, maxLength: 500 },
    step: { enum: steps },
    code: { type: 'string', minLength: 1, maxLength: 64 },
    min_age_seconds: { type: 'number', minimum: 0 },
  },
});
const validateReplayBody = compileValidator<{ message_ids?: string[] }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    message_ids: { type: 'array', maxItems: 10_000, items: { type: 'string', maxLength: 128 } },
  },
});

export interface AdminRoutesOptions {
  db: Database;
  adminToken: string;
  faultInjection: boolean;
  actions: OperatorActions;
  deadLetters: DeadLetterAdmin;
  faultRules: FaultRules;
}

export function adminRoutes(options: AdminRoutesOptions): Router {
  const { db, actions, deadLetters, faultRules } = options;
  const router = Router();
  router.use('/admin', requireAdminToken(options.adminToken), express.json({ limit: '1mb' }));

  router.get('/admin/sagas', async (req, res) => {
    const filter = parseStuckQuery(req);
    if ('errors' in filter) return badRequest(res, filter.errors);
    const page = await listStuckSagas(db, filter);
    res.json({ sagas: page.sagas, next_cursor: page.next ? encodeCursor(page.next) : null });
  });

  router.post('/admin/sagas/replay', async (req, res) => {
    const body = validateActionBody(req.body ?? {});
    if (!body.ok) return badRequest(res, body.errors);
    const { step, code, min_age_seconds } = body.value;
    const results = await actions.replayStuck(
      {
        ...(step ? { step } : {}),
        ...(code ? { code } : {}),
        ...(min_age_seconds === undefined ? {} : { minAgeSeconds: min_age_seconds }),
      },
      actionRequest(req, body.value),
    );
    res.json({
      dry_run: isDryRun(req),
      count: results.filter((r) => r.result !== 'rejected').length,
      sagas: results,
    });
  });

  for (const action of ['replay', 'cancel'] as const) {
    router.post(`/admin/sagas/:sagaId/${action}`, async (req: Request<{ sagaId: string }>, res) => {
      const body = validateActionBody(req.body ?? {});
      if (!body.ok) return badRequest(res, body.errors);
      if (!isUuid(req.params.sagaId)) return notFound(res, `no saga ${req.params.sagaId}`);
      const result = await actions.act(
        req.params.sagaId,
        action as OperatorAction,
        actionRequest(req, body.value),
      );
      if (!result) return notFound(res, `no saga ${req.params.sagaId}`);
      if (result.result === 'rejected') return conflict(res, action, result);
      res.json(result);
    });
  }

  router.get('/admin/dlq', async (_req, res) => {
    const listed = await deadLetters.list();
    // A dead letter whose saga is no longer STUCK (replayed, cancelled) is obsolete.
    const sagaIds = [
      ...new Set(listed.flatMap((q) => q.messages.flatMap((m) => (m.saga_id ? [m.saga_id] : [])))),
    ];
    const stuck = new Set<string>(
      await db('sagas')
        .whereIn(
          'saga_id',
          sagaIds.filter((id) => isUuid(id)),
        )
        .andWhere({ status: 'STUCK' })
        .pluck('saga_id'),
    );
    res.json({
      queues: listed.map((q) => ({
        ...q,
        messages: q.messages.map((m) => ({
          ...m,
          obsolete: m.saga_id !== null && !stuck.has(m.saga_id),
        })),
      })),
    });
  });

  router.post('/admin/dlq/:queue/replay', async (req: Request<{ queue: string }>, res) => {
    if (!deadLetterQueues.includes(req.params.queue))
      return notFound(res, `no dead-letter queue ${req.params.queue}`);
    const body = validateReplayBody(req.body ?? {});
    if (!body.ok) return badRequest(res, body.errors);
    const replayed = await deadLetters.replay(req.params.queue, body.value.message_ids);
    // The sagas these commands left STUCK resume: the replay re-sends with the same command id.
    const sagaIds = [...new Set(replayed.flatMap((m) => (m.saga_id ? [m.saga_id] : [])))];
    const results = await actions.actOnMany(sagaIds, 'replay', {
      ...actionRequest(req, {}),
      dryRun: false,
    });
    const resumed = results.filter((r) => r.result === 'applied');
    res.json({
      queue: req.params.queue,
      replayed: replayed.length,
      messages: replayed,
      resumed_sagas: resumed.map((r) => r.saga_id),
    });
  });

  router.delete('/admin/dlq/:queue', async (req: Request<{ queue: string }>, res) => {
    if (!deadLetterQueues.includes(req.params.queue))
      return notFound(res, `no dead-letter queue ${req.params.queue}`);
    res.json({ queue: req.params.queue, purged: await deadLetters.purge(req.params.queue) });
  });

  router.get('/admin/faults', async (_req, res) => {
    res.json({ fault_injection: options.faultInjection, rules: await faultRules.list() });
  });

  router.post('/admin/faults', async (req, res) => {
    if (!options.faultInjection) {
      return sendProblem(res, { status: 409, title: 'Conflict', detail: 'FAULT_INJECTION is off' });
    }
    const rule = validateRule(req.body);
    if (!rule.ok) return badRequest(res, rule.errors);
    res.status(201).json(await faultRules.add(rule.value));
  });

  router.delete('/admin/faults', async (req, res) => {
    const id = typeof req.query.id === 'string' ? req.query.id : undefined;
    if (id !== undefined && !isUuid(id)) return badRequest(res, ['id: must be a rule id']);
    res.json({ removed: await faultRules.clear(id) });
  });

  return router;
}

function isDryRun(req: Request): boolean {
  return req.query.dry_run === 'true' || req.query.dry_run === '1';
}

function actionRequest(req: Request, body: { actor?: string; reason?: string }): ActionRequest {
  return {
    actor: body.actor ?? req.get('x-admin-actor') ?? 'admin',
    reason: body.reason ?? 'operator request',
    dryRun: isDryRun(req),
  };
}

function conflict(res: Response, action: string, result: ActionResult): void {
  sendProblem(res, {
    status: 409,
    title: 'Conflict',
    detail: `cannot ${action} saga ${result.saga_id} (${result.status}): ${result.detail ?? 'not allowed in its state'}`,
  });
}

function badRequest(res: Response, errors: string[]): void {
  sendProblem(res, { status: 400, title: 'Bad Request', detail: errors.join('; '), errors });
}

function parseStuckQuery(req: Request): StuckFilter | { errors: string[] } {
  const { status, step, code, min_age_seconds } = req.query;
  const errors: string[] = [];
  const filter: StuckFilter = parsePaging(req.query, errors);
  if (status !== undefined && status !== 'STUCK')
    errors.push('status: only STUCK is listed here; see GET /orders');
  if (step !== undefined) {
    if (typeof step === 'string' && (steps as readonly string[]).includes(step)) filter.step = step;
    else errors.push(`step: must be one of ${steps.join(', ')}`);
  }
  if (typeof code === 'string' && code.length > 0) filter.code = code;
  if (min_age_seconds !== undefined) {
    const n = Number(min_age_seconds);
    if (Number.isFinite(n) && n >= 0) filter.minAgeSeconds = n;
    else errors.push('min_age_seconds: must be a number ≥ 0');
  }
  return errors.length > 0 ? { errors } : filter;
}
