/**
 * The consumer span of one command in a worker: a child of the publish that sent it, parent
 * of the command's work (e.g. the payment provider's HTTP call) and of its reply.
 */
import type { ConsumeMessage } from 'amqplib';
import { traceparentIn } from '../../lib/messaging/headers';
import { Span, SpanKind, endSpan, spansEnabled, startSpan } from '../../lib/telemetry/spans';
import { Command } from '../../sagas/contracts/messages';

export function consumeSpan(
  queue: string,
  message: ConsumeMessage,
  command: Command,
): Span | undefined {
  if (!spansEnabled()) return undefined;
  return startSpan(`process ${command.type}`, traceparentIn(message), SpanKind.CONSUMER, {
    'messaging.system': 'rabbitmq',
    'messaging.operation.type': 'process',
    'messaging.destination.name': queue,
    'messaging.message.id': command.message_id,
    'saga.id': command.saga_id,
    'order.id': command.order_id,
    'saga.step': command.step,
    'saga.attempt': command.attempt,
    'messaging.rabbitmq.redelivered': message.fields.redelivered,
  });
}

export function endConsumeSpans(items: ReadonlyArray<{ span?: Span }>, error?: unknown): void {
  for (const { span } of items) endSpan(span, error);
}
