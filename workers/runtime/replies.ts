/** Builds reply envelopes: same saga, correlation and step as the command that caused them. */
import { randomUUID } from 'node:crypto';
import { Command, Reply, ReplyData, ReplyType } from '../../sagas/contracts/messages';

export type ReplyDraft = { [K in ReplyType]: { type: K; data: ReplyData[K] } }[ReplyType];

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
