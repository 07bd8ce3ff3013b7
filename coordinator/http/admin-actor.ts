/**
 * Who performs an admin action and why, as recorded on the saga's timeline: from the body, else
 * from the X-Admin-Actor header, else "admin". The header passes the same check as the body's
 * `actor`, since both end up in the same jsonb column.
 */
import type { Request, Response } from 'express';
import { badRequest } from '../../lib/http/problem';
import { compileValidator } from '../../lib/validation';
import { actorSchema } from '../../sagas/contracts/http/admin';
import { ActionRequest } from '../admin/operator-actions';

export const ACTOR_HEADER = 'x-admin-actor';

const validActor = compileValidator<string>(actorSchema);

export function actionRequest(
  req: Request,
  res: Response,
  body: { actor?: string; reason?: string },
  dryRun: boolean,
): ActionRequest | undefined {
  const header = req.get(ACTOR_HEADER);
  if (body.actor === undefined && header !== undefined) {
    const checked = validActor(header);
    if (!checked.ok) {
      badRequest(
        res,
        checked.errors.map((e) => e.replace(/^body:/, `${ACTOR_HEADER}:`)),
      );
      return undefined;
    }
  }
  return {
    actor: body.actor ?? header ?? 'admin',
    reason: body.reason ?? 'operator request',
    dryRun,
  };
}
