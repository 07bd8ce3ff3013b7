/** Decodes a delivery's JSON body against its schema; anything else is a poison message. */
import type { ConsumeMessage } from 'amqplib';
import { PoisonMessageError } from '../errors';
import { Validator } from '../validation';

export function decodeMessage<T>(message: ConsumeMessage, validate: Validator<T>): T {
  let body: unknown;
  try {
    body = JSON.parse(message.content.toString('utf8'));
  } catch {
    throw new PoisonMessageError('message body is not JSON');
  }
  const result = validate(body);
  if (!result.ok) throw new PoisonMessageError('message fails its schema', result.errors);
  return result.value;
}
