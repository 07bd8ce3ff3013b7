/** Runtime failure-injection rules: add, list, remove one or all. */
import { Router } from 'express';
import { validBody, validQuery } from '../../lib/http/inputs';
import { sendProblem } from '../../lib/http/problem';
import { compileTextValidator, compileValidator } from '../../lib/validation';
import { FaultRuleRequest } from '../../sagas/contracts/fault-rules';
import {
  FaultDeleteQuery,
  faultDeleteQuerySchema,
  faultListQuerySchema,
  faultRuleRequestSchema,
} from '../../sagas/contracts/http/fault-rules';
import { FaultRules } from '../admin/fault-rules';

const ruleBody = compileValidator<FaultRuleRequest>(faultRuleRequestSchema);
const listQuery = compileTextValidator<object>(faultListQuerySchema);
const deleteQuery = compileTextValidator<FaultDeleteQuery>(faultDeleteQuerySchema);

export function faultRoutes(options: { faultInjection: boolean; faultRules: FaultRules }): Router {
  const { faultRules } = options;
  const router = Router();

  router.get('/admin/faults', async (req, res) => {
    if (!validQuery(req, res, listQuery)) return;
    res.json({ fault_injection: options.faultInjection, rules: await faultRules.list() });
  });

  router.post('/admin/faults', async (req, res) => {
    if (!validQuery(req, res, listQuery)) return;
    if (!options.faultInjection) {
      return sendProblem(res, { status: 409, title: 'Conflict', detail: 'FAULT_INJECTION is off' });
    }
    const rule = validBody(req, res, ruleBody);
    if (!rule) return;
    res.status(201).json(await faultRules.add(rule));
  });

  // Without `id` every rule goes: so an id that is repeated, bracketed or malformed is a 400,
  // never read as "no id".
  router.delete('/admin/faults', async (req, res) => {
    const query = validQuery(req, res, deleteQuery);
    if (!query) return;
    res.json({ removed: await faultRules.clear(query.id) });
  });

  return router;
}
