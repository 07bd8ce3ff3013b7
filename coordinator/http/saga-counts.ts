/** `GET /sagas/counts`: how many sagas are in each status right now (the console's live counts). */
import { Router } from 'express';
import { Database } from '../../lib/db';
import { countSagasByStatus } from '../repositories/saga-counts';
import { rejectUnknownQuery } from './unknown-query';

export function sagaCountRoutes({ db }: { db: Database }): Router {
  return Router().get('/sagas/counts', async (req, res) => {
    if (rejectUnknownQuery(req, res)) return;
    const counts = await countSagasByStatus(db);
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    res.set('Cache-Control', 'no-store').json({ counts, total });
  });
}
