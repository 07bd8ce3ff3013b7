/**
 * The coordinator hears of every dead letter: the dead-letter exchange copies each one to a
 * queue of its own here, next to the DLQ that keeps it for operators. Each is mirrored into the
 * dead_letters table (what operators list) and a dead-lettered command moves its saga to STUCK
 * at once. Headers written by the workers say why; a message the broker
 * dead-lettered itself (expired, rejected) is identified from its body.
 */
import type { ConsumeMessage } from 'amqplib';
import { Logger } from '../lib/logger';
import { UNAUTHORIZED } from '../lib/messaging/authorship';
import { Outcome } from '../lib/messaging/batch-consumer';
import { FIRST_DEATH_REASON_HEADER, deadLetterHeaders as h } from '../lib/messaging/headers';
import { deadLetterQueueOf, queues } from '../lib/messaging/topology';
import { Database } from '../lib/db';
import { deadLetterView } from './dead-letter-view';
import { MirroredDeadLetter, recordDeadLetters } from './repositories/dead-letters';
import { CommandType, commandTypes } from '../sagas/contracts/messages';
import { EventOutcome, SagaEvent, SagaRunner } from './saga-runner';

interface DeadLetterNotice {
  sagaId: string;
  orderId: string | undefined;
  event: Extract<SagaEvent['event'], { type: 'command.dead_lettered' }>;
  messageId: string;
}

export function deadLetterHandler(
  runner: SagaRunner,
  logger: Logger,
  db: Database,
  onOutcome: (outcome: EventOutcome) => void = () => undefined,
) {
  return async (messages: readonly ConsumeMessage[]): Promise<Outcome[]> => {
    // Mirrored first: a notice redelivered after a failure refreshes its row.
    await recordDeadLetters(db, messages.map(mirrorOf));
    const notices = messages.flatMap((message) => {
      const notice = readNotice(message);
      if (!notice) {
        logger.warn('dead letter without a saga', {
          message_id: message.properties.messageId,
          origin_queue: header(message, h.originQueue) ?? message.fields.routingKey,
        });
      }
      return notice ? [notice] : [];
    });
    if (notices.length > 0) {
      const outcomes = await runner.handle(notices);
      outcomes.forEach(onOutcome);
      notices.forEach((notice, i) =>
        logger.warn('command dead-lettered', {
          saga_id: notice.sagaId,
          order_id: notice.orderId,
          command: notice.event.data.command,
          code: notice.event.data.code,
          outcome: outcomes[i],
        }),
      );
    }
    // Settled either way: the DLQ keeps its own copy for operators.
    return messages.map(() => ({ kind: 'ack' }));
  };
}

/** The dead-letter queue the broker routed this copy's twin to, and what operators see of it. */
function mirrorOf(message: ConsumeMessage): MirroredDeadLetter {
  const origin = header(message, h.originQueue) ?? message.fields.routingKey;
  return {
    queue: header(message, h.deadLetterQueue) ?? deadLetterQueueOf(origin),
    view: deadLetterView(message),
  };
}

function readNotice(message: ConsumeMessage): DeadLetterNotice | undefined {
  const origin = header(message, h.originQueue) ?? message.fields.routingKey;
  if (origin === queues.coordinator) return undefined;
  // A message refused for its sender was never the coordinator's: it says nothing of a saga.
  if (header(message, h.errorCode) === UNAUTHORIZED) return undefined;
  const body = parseBody(message);
  const sagaId = header(message, h.sagaId) || body?.saga_id;
  const command = (header(message, h.command) || body?.type) as CommandType | undefined;
  if (!sagaId || !command || !commandTypes.includes(command)) return undefined;
  const attempts = Number(header(message, h.attempts) ?? 1);
  const death =
    (message.properties.headers?.[FIRST_DEATH_REASON_HEADER] as string | undefined) ?? 'rejected';
  const code = header(message, h.errorCode) ?? `BROKER_${death.toUpperCase()}`;
  return {
    sagaId,
    orderId: header(message, h.orderId) || body?.order_id,
    messageId: `dead-letter:${message.properties.messageId ?? ''}:${attempts}`,
    event: {
      type: 'command.dead_lettered',
      data: {
        command_id: body?.data?.command_id ?? `${sagaId}/${command}`,
        command,
        attempts,
        code,
        message: header(message, h.errorMessage) ?? `dead-lettered by the broker (${death})`,
      },
    },
  };
}

function header(message: ConsumeMessage, name: string): string | undefined {
  const value = message.properties.headers?.[name] as unknown;
  return value === undefined || value === null ? undefined : String(value);
}

function parseBody(
  message: ConsumeMessage,
):
  | { saga_id?: string; order_id?: string; type?: string; data?: { command_id?: string } }
  | undefined {
  try {
    return JSON.parse(message.content.toString('utf8')) as ReturnType<typeof parseBody>;
  } catch {
    return undefined;
  }
}
