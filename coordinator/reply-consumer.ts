/**
 * Feeds worker replies to the saga runner. A reply that is not JSON or fails its schema is
 * rejected to the dead-letter queue at once; the rest of the batch goes through in one
 * transaction and is acked only after it commits.
 */
import type { ConsumeMessage } from 'amqplib';
import { PoisonMessageError } from '../lib/errors';
import { Logger, describeError } from '../lib/logger';
import { fromAuthors } from '../lib/messaging/authorship';
import { BatchConsumer, Outcome } from '../lib/messaging/batch-consumer';
import { BrokerConnection } from '../lib/messaging/connection';
import { deadLetterVia } from '../lib/messaging/dead-letter';
import { decodeMessage } from '../lib/messaging/decode';
import { traceparentIn } from '../lib/messaging/headers';
import { ConfirmPublisher, OutgoingMessage } from '../lib/messaging/publisher';
import { queues } from '../lib/messaging/topology';
import { compileValidator } from '../lib/validation';
import { Reply, replySchema } from '../sagas/contracts/messages';
import { OrderSagaEvent } from '../sagas/order/machine';
import { EventOutcome, SagaEvent, SagaRunner } from './saga-runner';

const validateReply = compileValidator<Reply>(replySchema);

export interface ReplyConsumerOptions {
  prefetch: number;
  /**
   * Broker accounts whose replies are taken: the workers', and the coordinator's own (an
   * operator's replay of a dead-lettered reply). Anything else is dead-lettered unread.
   */
  authors: readonly string[];
  /** The coordinator's own broker user, stamped on what it publishes. */
  userId?: string;
  onUnauthorized?: (message: ConsumeMessage, author: string | undefined) => void;
  onOutcome?: (outcome: EventOutcome) => void;
  onBatch?: (size: number) => void;
  /** Counts dead letters the broker returned (see ConfirmPublisher). */
  onReturned?: (message: OutgoingMessage) => void;
}

/**
 * The consumer of the coordinator's reply queue: batches of replies through the runner. A
 * reply it cannot take is dead-lettered with the same provenance the workers write, so an
 * operator reading the coordinator's DLQ sees why, from where, and for which saga.
 */
export function replyConsumer(
  broker: BrokerConnection,
  runner: SagaRunner,
  logger: Logger,
  options: ReplyConsumerOptions,
): BatchConsumer {
  return new BatchConsumer(broker, {
    queue: queues.coordinator,
    prefetch: options.prefetch,
    maxBatch: 200,
    handle: fromAuthors(
      options.authors,
      replyHandler(runner, logger, options.onOutcome),
      (message, author) => options.onUnauthorized?.(message, author),
    ),
    onBatch: options.onBatch,
    onTransientFailure: (error, attempt, delayMs) =>
      logger.warn('reply batch will be retried', {
        attempt,
        retry_in_ms: delayMs,
        ...describeError(error),
      }),
    onRejected: (message, reason) =>
      logger.error('reply dead-lettered', { message_id: message.properties.messageId, reason }),
    deadLetter: deadLetterVia(
      new ConfirmPublisher(broker, { onReturned: options.onReturned, userId: options.userId }),
      queues.coordinator,
    ),
  });
}

export function replyHandler(
  runner: SagaRunner,
  logger: Logger,
  onOutcome: (outcome: EventOutcome) => void = () => undefined,
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
          traceparent: traceparentIn(message),
        });
      } catch (error) {
        const poison = error as PoisonMessageError;
        logger.warn('poison reply dead-lettered', {
          message_id: message.properties.messageId,
          reason: poison.message,
          details: poison.details,
        });
        outcomes[index] = { kind: 'reject', reason: poison.message, code: 'POISON' };
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
