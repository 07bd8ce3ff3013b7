/**
 * `GET /sagas/{saga_id}`: the saga behind an order, with what the public order view leaves
 * out (definition version, machine state, deadline, time stuck). Read-only; the console's
 * saga header shows it.
 */
import { Router } from 'express';
import { Database } from '../../lib/db';
import { isUuid } from '../../lib/http/paging';
import { notFound } from '../../lib/http/problem';
import { SagaDetailsRow, findSagaDetails } from '../repositories/saga-details';
import { rejectUnknownQuery } from './unknown-query';

export function sagaDetailRoutes({ db }: { db: Database }): Router {
  return Router().get('/sagas/:sagaId', async (req, res, next) => {
    // Not a saga id: another route under /sagas (e.g. /sagas/counts) may answer it.
    if (!isUuid(req.params.sagaId)) return next();
    if (rejectUnknownQuery(req, res)) return;
    const saga = await findSagaDetails(db, req.params.sagaId);
    if (!saga) return notFound(res, `no saga ${req.params.sagaId}`);
    res.json(present(saga));
  });
}

function present(saga: SagaDetailsRow) {
  const iso = (at: Date | null) => (at ? at.toISOString() : null);
  return {
    saga_id: saga.saga_id,
    order_id: saga.order_id,
    user_id: saga.user_id,
    status: saga.status,
    state: saga.state,
    step: saga.step,
    version: saga.version,
    reason: saga.reason ?? null,
    last_seq: saga.last_seq,
    deadline_at: iso(saga.deadline_at),
    stuck_since: iso(saga.stuck_since),
    created_at: saga.created_at.toISOString(),
    updated_at: saga.updated_at.toISOString(),
    age_seconds: Math.max(0, Math.floor(saga.age_seconds)),
  };
}
