import { randomUUID } from 'node:crypto';
import { SagaEvent } from '../../coordinator/saga-runner';

/** The payment command dead-lettered after its retries, the provider down: the saga parks STUCK. */
export function paymentDeadLettered(sagaId: string): SagaEvent {
  return {
    messageId: randomUUID(),
    sagaId,
    event: {
      type: 'command.dead_lettered',
      data: {
        command_id: `${sagaId}/payment.authorize`,
        command: 'payment.authorize',
        attempts: 3,
        code: 'PROVIDER_UNAVAILABLE',
        message: 'payment provider answered 503',
      },
    },
  };
}
