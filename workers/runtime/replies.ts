/** Builds reply envelopes: same saga, correlation and step as the command that caused them. */
import { createHash, randomUUID } from 'node:crypto';
import { OutgoingMessage } from '../../lib/messaging/publisher';
import { exchanges, queues } from '../../lib/messaging/topology';
import { AnyReplyData, AnyReplyType, Command, Reply } from '../../sagas/contracts/messages';

export type ReplyDraft = {
  [K in AnyReplyType]: { type: K; data: AnyReplyData[K] };
}[AnyReplyType];

export function replyTo(command: Command, draft: ReplyDraft, now = new Date()): Reply {
  return {
    message_id: randomUUID(),
    type: draft.type,
    saga_id: command.saga_id,
    order_id: command.order_id,
    step: command.step,
    attempt: command.attempt,
    correlation_id: command.correlation_id,
    causation_id: command.message_id,
    occurred_at: now.toISOString(),
    data: draft.data,
  } as Reply;
}

/**
 * The reply to a command that has no effect: its id is derived from the command id, so every
 * delivery and every re-send of the command gives the one reply the coordinator takes once, as
 * a reply kept in the worker's record would.
 */
export function effectFreeReply(command: Command, draft: ReplyDraft): Reply {
  return { ...replyTo(command, draft), message_id: answerId(command.data.command_id) };
}

/** A reply continues the trace of the command it answers (W3C traceparent). */
export function replyMessage(reply: Reply, traceparent?: string): OutgoingMessage {
  return {
    exchange: exchanges.replies,
    routingKey: queues.coordinator,
    body: Buffer.from(JSON.stringify(reply)),
    messageId: reply.message_id,
    type: reply.type,
    correlationId: reply.correlation_id,
    ...(traceparent ? { headers: { traceparent } } : {}),
  };
}

/**
 * Tells the coordinator a command will be retried after `delayMs`, for its timeline and its
 * step deadline. The id is derived from the delivered message and the retry: a redelivery of
 * the same message gives the same notice, which the coordinator applies once, while a later
 * send of the same command (a timeout re-send, an operator's replay) is a new message whose
 * notices are new too. Deriving it from the command id instead made every notice after a
 * replay a duplicate of one before it, so the step deadline was never pushed back.
 */
export function retryNotice(
  command: Command,
  retry: { retry: number; delayMs: number; code: string; message: string },
): OutgoingMessage {
  const notice = {
    ...replyTo(command, {
      type: 'command.retry_scheduled',
      data: {
        command_id: command.data.command_id,
        command: command.type,
        retry: retry.retry,
        delay_ms: retry.delayMs,
        code: retry.code.slice(0, 64),
        message: retry.message.slice(0, 1024),
      },
    }),
    message_id: noticeId(command.message_id, retry.retry),
  };
  return replyMessage(notice);
}

/** The envelope allows 128 characters: a message id too long to quote is digested. */
const MAX_MESSAGE_ID = 128;

function noticeId(messageId: string, retry: number): string {
  const readable = `retry:${messageId}:${retry}`;
  if (readable.length <= MAX_MESSAGE_ID) return readable;
  return `retry:${digest(messageId)}:${retry}`;
}

function answerId(commandId: string): string {
  const readable = `answer:${commandId}`;
  return readable.length <= MAX_MESSAGE_ID ? readable : `answer:${digest(commandId)}`;
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}
