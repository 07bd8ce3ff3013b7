/**
 * Who may send a consumer work. RabbitMQ refuses a publish whose `user-id` property is not the
 * publishing connection's own user, so the property names the broker account that really sent
 * the message. A consumer hands on only the messages of the accounts it obeys; anything else
 * (unsigned, or from another account that can write to the queue) is dead-lettered as
 * unauthorized and never acted on.
 */
import type { ConsumeMessage } from 'amqplib';
import type { BatchHandler, Outcome } from './batch-consumer';

export const UNAUTHORIZED = 'UNAUTHORIZED';

/** The broker account that published `message`, when it said (and so proved) it. */
export function authorOf(message: ConsumeMessage): string | undefined {
  const userId = message.properties.userId as unknown;
  return typeof userId === 'string' && userId !== '' ? userId : undefined;
}

/**
 * `handle`, for the messages of `authors` only; the others are rejected with code
 * UNAUTHORIZED (the consumer dead-letters them) after `onRefused` has seen each one.
 */
export function fromAuthors(
  authors: readonly string[],
  handle: BatchHandler,
  onRefused: (message: ConsumeMessage, author: string | undefined) => void,
): BatchHandler {
  const allowed = new Set(authors);
  return async (messages) => {
    const outcomes: Outcome[] = new Array<Outcome>(messages.length);
    const accepted: ConsumeMessage[] = [];
    const positions: number[] = [];
    messages.forEach((message, index) => {
      const author = authorOf(message);
      if (author !== undefined && allowed.has(author)) {
        accepted.push(message);
        positions.push(index);
        return;
      }
      onRefused(message, author);
      outcomes[index] = {
        kind: 'reject',
        code: UNAUTHORIZED,
        reason: `published by ${author ?? 'an unnamed account'}, not by ${[...allowed].join(' or ')}`,
      };
    });
    if (accepted.length > 0) {
      const handled = await handle(accepted);
      handled.forEach((outcome, i) => (outcomes[positions[i]!] = outcome));
    }
    return outcomes;
  };
}
