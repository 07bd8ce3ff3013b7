/**
 * What a worker expires: its processed-command records (a command redelivered after the
 * window would be done again, so the window must outlast any redelivery) and the delivery
 * counters of failure injection. The effects themselves (payments, reservations, shipments)
 * stay.
 */
import { Config } from '../../lib/config';
import { RetentionTask, olderThan } from '../../lib/retention';

export function workerRetention(retention: Config['retention']): RetentionTask[] {
  return [
    olderThan('processed_commands', 'command_id', 'processed_at', retention.days),
    olderThan('fault_deliveries', 'command_id', 'updated_at', retention.days),
  ];
}
