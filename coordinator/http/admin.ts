/**
 * The admin API, behind the admin token: STUCK sagas, replay and cancel, dead letters, runtime
 * fault rules. Action bodies are optional, but a body that is present must be JSON.
 */
import { Request, Response, Router } from 'express';
import { Database } from '../../lib/db';
import { validBody, validParams, validQuery } from '../../lib/http/inputs';
import { parseJson, requireJsonIfPresent } from '../../lib/http/json-body';
import { nextCursor, pageOf } from '../../lib/http/paging';
import { notFound, sendProblem } from '../../lib/http/problem';
import { compileTextValidator, compileValidator } from '../../lib/validation';
import {
  ActionQuery,
  BulkReplayBody,
  SagaActionBody,
  StuckSagasQuery,
  actionQuerySchema,
  bulkReplayBodySchema,
  sagaActionBodySchema,
  sagaActionPathSchema,
  stuckSagasQuerySchema,
} from '../../sagas/contracts/http/admin';
import { DeadLetterAdmin } from '../admin/dead-letters';
import { FaultRules } from '../admin/fault-rules';
import { ActionResult, OperatorActions } from '../admin/operator-actions';
import { StuckFilter, listStuckSagas } from '../admin/stuck-sagas';
import { actionRequest } from './admin-actor';
import { requireAdminToken } from './admin-auth';
import { deadLetterRoutes } from './admin-dead-letters';
import { faultRoutes } from './admin-faults';

const stuckQuery = compileTextValidator<StuckSagasQuery>(stuckSagasQuerySchema);
const actionQuery = compileTextValidator<ActionQuery>(actionQuerySchema);
const sagaPath = compileTextValidator<{ saga_id: string }>(sagaActionPathSchema);
const sagaActionBody = compileValidator<SagaActionBody>(sagaActionBodySchema);
const bulkReplayBody = compileValidator<BulkReplayBody>(bulkReplayBodySchema);

const noSaga = (params: Record<string, string>) => `no saga ${params.saga_id}`;

export interface AdminRoutesOptions {
  db: Database;
  adminTokens: readonly string[];
  faultInjection: boolean;
  actions: OperatorActions;
  deadLetters: DeadLetterAdmin;
  faultRules: FaultRules;
}

export function adminRoutes(options: AdminRoutesOptions): Router {
  const { db, actions } = options;
  const router = Router();
  router.use(
    '/admin',
    requireAdminToken(options.adminTokens),
    requireJsonIfPresent('the body'),
    parseJson('1mb'),
  );

  router.get('/admin/sagas', async (req, res) => {
    const query = validQuery(req, res, stuckQuery);
    if (!query) return;
    const filter: StuckFilter = { ...pageOf(query), ...stuckFilterOf(query) };
    const page = await listStuckSagas(db, filter);
    res.json({ sagas: page.sagas, next_cursor: nextCursor(page.next) });
  });

  router.post('/admin/sagas/replay', async (req, res) => {
    const query = validQuery(req, res, actionQuery);
    const body = query && validBody(req, res, bulkReplayBody, { optional: true });
    if (!query || !body) return;
    const who = actionRequest(req, res, body, query.dry_run);
    if (!who) return;
    const results = await actions.replayStuck(stuckFilterOf(body), who);
    res.json({
      dry_run: query.dry_run,
      count: results.filter((r) => r.result !== 'rejected').length,
      sagas: results,
    });
  });

  for (const action of ['replay', 'cancel'] as const) {
    router.post(`/admin/sagas/:saga_id/${action}`, async (req: Request, res: Response) => {
      const params = validParams(req, res, sagaPath, noSaga);
      const query = params && validQuery(req, res, actionQuery);
      const body = query && validBody(req, res, sagaActionBody, { optional: true });
      if (!params || !query || !body) return;
      const who = actionRequest(req, res, body, query.dry_run);
      if (!who) return;
      const result = await actions.act(params.saga_id, action, who);
      if (!result) return notFound(res, noSaga(params));
      if (result.result === 'rejected') return conflict(res, action, result);
      res.json(result);
    });
  }

  router.use(deadLetterRoutes(options));
  router.use(faultRoutes(options));
  return router;
}

function stuckFilterOf(input: {
  step?: string;
  code?: string;
  min_age_seconds?: number;
}): Omit<StuckFilter, 'limit' | 'after'> {
  return {
    ...(input.step ? { step: input.step } : {}),
    ...(input.code ? { code: input.code } : {}),
    ...(input.min_age_seconds === undefined ? {} : { minAgeSeconds: input.min_age_seconds }),
  };
}

function conflict(res: Response, action: string, result: ActionResult): void {
  sendProblem(res, {
    status: 409,
    title: 'Conflict',
    detail: `cannot ${action} saga ${result.saga_id} (${result.status}): ${result.detail ?? 'not allowed in its state'}`,
  });
}
