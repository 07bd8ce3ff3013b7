/**
 * Feeds worker replies to the saga runner. A reply that is not JSON or fails its schema is
 * rejected to the dead-letter queue at once; the rest of the batch goes through in one
 * transaction and is acked only after it commits.
 */
import type { ConsumeMessage } from 'amqplib';
import { PoisonMessageError } from '../lib/errors';
import { Logger } from '../lib/logger';
import { Outcome } from '../lib/messaging/batch-consumer';
import { decodeMessage } from '../lib/messaging/decode';
import { compileValidator } from '../lib/validation';
import { Reply, replySchema } from '../sagas/contracts/messages';
import { OrderSagaEvent } from '../sagas/order/machine';
import { SagaEvent, SagaRunner } from './saga-runner';

const validateReply = compileValidator<Reply>(replySchema);

export function replyHandler(
  runner: SagaRunner,
  logger: Logger,
  onOutcome: (outcome: string) => void = () => undefined,
) {
  return async (messages: readonly ConsumeMessage[]): Promise<Outcome[]> => {
    const outcomes: Outcome[] = messages.map(() => ({ kind: 'ack' }));
    const events: SagaEvent[] = [];
    const replies: Reply[] = [];
    messages.forEach((message, index) => {
      try {
        const reply = decodeMessage(message, validateReply);
        replies.push(reply);
        events.push({
          messageId: reply.message_id,
          sagaId: reply.saga_id,
          event: { type: reply.type, data: reply.data } as OrderSagaEvent,
        });
      } catch (error) {
        const poison = error as PoisonMessageError;
        logger.warn('poison reply dead-lettered', {
          message_id: message.properties.messageId,
          reason: poison.message,
          details: poison.details,
        });
        outcomes[index] = { kind: 'reject', reason: poison.message };
      }
    });
    if (events.length === 0) return outcomes;
    const results = await runner.handle(events);
    results.forEach((result, i) => {
      onOutcome(result);
      if (result === 'applied' || result === 'duplicate') return;
      const reply = replies[i]!;
      // Late, duplicate-after-finish or unknown-saga replies are recorded, never applied.
      logger.warn(result === 'orphan' ? 'reply for unknown saga' : 'reply not accepted in state', {
        saga_id: reply.saga_id,
        order_id: reply.order_id,
        correlation_id: reply.correlation_id,
        message_id: reply.message_id,
        type: reply.type,
      });
    });
    return outcomes;
  };
}
