/** The circuit breaker of each step: read it, pause a step by hand, resume it. */
import { Router } from 'express';
import { Database } from '../../lib/db';
import { validBody } from '../../lib/http/inputs';
import { notFound } from '../../lib/http/problem';
import { commandQueueOf } from '../../lib/messaging/topology';
import { compileValidator } from '../../lib/validation';
import { Step, steps } from '../../sagas/contracts/envelope';
import { SagaActionBody, sagaActionBodySchema } from '../../sagas/contracts/http/admin';
import { StepBreakers } from '../breaker/step-breakers';
import { heldCounts } from '../repositories/step-breakers';
import { actionRequest } from './admin-actor';

const actionBody = compileValidator<SagaActionBody>(sagaActionBodySchema);

export function stepRoutes(options: { db: Database; breakers: StepBreakers }): Router {
  const { db, breakers } = options;
  const router = Router();

  const describe = async () => {
    await breakers.refresh();
    const held = await heldCounts(
      db,
      breakers.heldSteps().map((step) => commandQueueOf(step)),
    );
    return breakers.views().map((view) => ({
      ...view,
      held_commands: breakers.isHeld(view.step) ? (held.get(commandQueueOf(view.step)) ?? 0) : 0,
    }));
  };

  router.get('/admin/steps', async (_req, res) => {
    res.json({ steps: await describe() });
  });

  for (const action of ['pause', 'resume'] as const) {
    router.post(`/admin/steps/:step/${action}`, async (req, res) => {
      const step = req.params.step as Step;
      if (!steps.includes(step)) return notFound(res, `no step ${req.params.step}`);
      const body = validBody(req, res, actionBody, { optional: true });
      if (!body) return;
      const who = actionRequest(req, res, body, false);
      if (!who) return;
      if (action === 'pause') await breakers.pause(step, who.actor, who.reason);
      else await breakers.resume(step, who.actor, who.reason);
      const view = (await describe()).find((v) => v.step === step);
      res.json(view);
    });
  }
  return router;
}
