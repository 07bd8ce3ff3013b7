/**
 * A worker's metrics: commands answered by reply type, retries, per-step latency, inbox
 * duplicates and the effects on the world (authorizations, voids, reservations, releases,
 * shipments, cancellations). All counted in memory after the batch committed.
 */
import type { Registry } from 'prom-client';
import { counter, histogram } from '../../lib/metrics';
import { Command, Reply } from '../../sagas/contracts/messages';

/** The effect a reply reports, and how many it counts: a void of nothing is no void. */
export function effectOf(reply: Reply): { effect: string; count: number } | undefined {
  switch (reply.type) {
    case 'payment.authorized':
      return { effect: 'authorization', count: 1 };
    case 'payment.voided':
      return { effect: 'void', count: reply.data.voided };
    case 'inventory.reserved':
      return { effect: 'reservation', count: 1 };
    case 'inventory.released':
      return { effect: 'release', count: reply.data.released ? 1 : 0 };
    case 'shipping.ready':
      return { effect: 'shipment', count: 1 };
    case 'shipping.cancelled':
      return { effect: 'cancellation', count: reply.data.cancelled };
    default:
      // Declines and rejections are business answers with no effect to undo.
      return undefined;
  }
}

export function workerMetrics(registry: Registry) {
  const handled = counter(
    registry,
    'order_saga_worker_commands_total',
    'Commands answered, by reply type',
    ['type'],
  );
  const retries = counter(
    registry,
    'order_saga_worker_retries_total',
    'Commands sent to a retry queue, by command',
    ['command'],
  );
  const stepLatency = histogram(
    registry,
    'order_saga_step_duration_seconds',
    'From a command being sent to its reply leaving the worker, by command',
    ['command'],
  );
  const duplicates = counter(
    registry,
    'order_saga_inbox_duplicates_total',
    'Messages the inbox recognised as already handled',
  );
  const effects = counter(
    registry,
    'order_saga_effects_total',
    'Effects applied by workers, by kind (authorization, void, reservation, release, shipment, cancellation)',
    ['effect'],
  );
  return {
    onReplied(answered: Array<{ command: Command; reply: Reply; duplicate: boolean }>) {
      for (const { command, reply, duplicate } of answered) {
        handled.inc({ type: reply.type });
        stepLatency.observe(
          { command: command.type },
          (Date.now() - Date.parse(command.occurred_at)) / 1000,
        );
        if (duplicate) {
          duplicates.inc();
          continue;
        }
        const effect = effectOf(reply);
        if (effect && effect.count > 0) effects.inc({ effect: effect.effect }, effect.count);
      }
    },
    onRetry(command: Command) {
      retries.inc({ command: command.type });
    },
  };
}
