/**
 * What the coordinator expires: inbox records (a message redelivered after its window would
 * find no record, so the window must outlast any redelivery), fault rules that expired long
 * ago, and, when configured, the timelines of sagas that ended. Sagas themselves stay.
 */
import { Config } from '../lib/config';
import { RetentionTask, olderThan } from '../lib/retention';
import { terminalStatuses } from '../sagas/order/status';

export function coordinatorRetention(retention: Config['retention']): RetentionTask[] {
  const tasks = [
    olderThan('inbox', 'message_id', 'received_at', retention.days),
    olderThan('fault_rules', 'id', 'expires_at', retention.days),
  ];
  return retention.timelineDays === null
    ? tasks
    : [...tasks, endedTimelines(retention.timelineDays)];
}

/**
 * Whole timelines of sagas that ended (COMPLETED or CANCELLED) before the cutoff; `limit`
 * counts sagas. A saga's last write is its end, so its every entry is older than the cutoff
 * too, which is how the index on the entries' time finds the candidates.
 */
function endedTimelines(windowDays: number): RetentionTask {
  return {
    name: 'timeline',
    windowDays,
    async deleteBatch(db, cutoff, limit) {
      const result = await db.raw<{ rowCount: number }>(
        `WITH ended AS (
           SELECT DISTINCT t.saga_id FROM timeline t JOIN sagas s ON s.saga_id = t.saga_id
           WHERE t.at < ? AND s.status = ANY(?) AND s.updated_at < ?
           LIMIT ?)
         DELETE FROM timeline WHERE saga_id IN (SELECT saga_id FROM ended)`,
        [cutoff, [...terminalStatuses], cutoff, limit],
      );
      return result.rowCount;
    },
  };
}
