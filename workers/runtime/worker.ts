/**
 * The life of a command in a worker: decode → answered before? → failure injection → prepare
 * (outside the transaction: e.g. the provider's HTTP API) → one transaction that claims the
 * command ids, applies the effects and stores the replies → publish replies, retries and dead
 * letters with confirms → ack. A command without effects (a pure computation) skips the
 * transaction: its answer is computed again on every delivery.
 *
 * A redelivered command is answered with the reply stored the first time, so it has no second
 * effect. A crash after the commit and before the ack makes the broker redeliver; the stored
 * reply is then published again with its original message id, which the coordinator's inbox
 * absorbs.
 */
import type { ConsumeMessage } from 'amqplib';
import { isTransientError, PoisonMessageError } from '../../lib/errors';
import { Database } from '../../lib/db';
import { Pipeline, pipelinedTransaction } from '../../lib/pipelined';
import { Logger, describeError } from '../../lib/logger';
import { Outcome } from '../../lib/messaging/batch-consumer';
import { decodeMessage } from '../../lib/messaging/decode';
import { ConfirmPublisher, OutgoingMessage } from '../../lib/messaging/publisher';
import { ATTEMPT_HEADER, REPLAYED_HEADER, traceparentIn } from '../../lib/messaging/headers';
import { Span, traceparentOf, withSpan } from '../../lib/telemetry/spans';
import { consumeSpan, endConsumeSpans } from './consume-spans';
import { compileValidator } from '../../lib/validation';
import { Command, Reply, commandSchema } from '../../sagas/contracts/messages';
import { deadLetterOf } from '../../lib/messaging/dead-letter';
import { RetryPolicy } from '../../lib/retry-schedule';
import { deliveryAttempt, routeTechnicalFailure } from './failure-routing';
import { sleep } from '../../lib/backoff';
import { FaultRuleListener } from './fault-rules';
import { FaultMode } from '../../sagas/contracts/order-request';
import { SimulatedFailure, faultForDelivery, simulatedDecline, simulationIn } from './faults';
import { findReplies, isTakenElsewhere, recordRepliesStatement } from './processed-commands';
import { ReplyDraft, effectFreeReply, replyMessage, replyTo, retryNotice } from './replies';

const validateCommand = compileValidator<Command>(commandSchema);

export interface PreparedCommand<TPrepared = unknown> {
  command: Command;
  message: ConsumeMessage;
  prepared: TPrepared;
}

/** A worker's business logic; failure classification happens in its adapters. */
export interface CommandHandler<TPrepared = unknown> {
  /** Outside any transaction; a throw is a technical failure of that command only. */
  prepare(command: Command, message: ConsumeMessage): Promise<TPrepared>;
  /**
   * Inside the batch transaction; returns one reply per command, in order. Writes whose result
   * the reply does not need go through `tx.write`: they leave with the reply records as one
   * statement, so a batch that only writes commits in a single round trip.
   */
  apply(tx: Pipeline, commands: PreparedCommand<TPrepared>[]): Promise<ReplyDraft[]>;
  /**
   * The answer to a command that changes nothing anywhere (a computation on the command alone),
   * or undefined for a command with effects. Such a command takes no transaction and leaves no
   * record: every delivery computes its answer again and sends it under one message id derived
   * from the command id, which the coordinator's inbox takes once.
   */
  answerWithoutEffect?(command: Command): ReplyDraft | undefined;
}

export interface WorkerRuntimeOptions<TPrepared> {
  queue: string;
  db: Database;
  publisher: ConfirmPublisher;
  handler: CommandHandler<TPrepared>;
  policy: RetryPolicy;
  logger: Logger;
  /** Honour per-order failure injection headers and runtime rules (FAULT_INJECTION). */
  faultInjection?: boolean;
  faultRules?: FaultRuleListener;
  /**
   * Every delivery answered in a batch. `duplicate` marks one answered from the record of an
   * earlier delivery (or sharing its batch with one): it had no effect of its own.
   */
  onReplied?: (answered: Array<{ command: Command; reply: Reply; duplicate: boolean }>) => void;
  onRetry?: (command: Command, retry: number) => void;
}

interface Decoded {
  message: ConsumeMessage;
  command: Command;
  /** The command's consumer span while tracing is on: the work and the reply are its children. */
  span?: Span;
}

interface InjectedFault {
  mode: FaultMode | 'latency';
  latencyMs: number;
}

interface Forced extends Decoded {
  draft: ReplyDraft;
}

interface Handled {
  replies: Map<string, Reply>;
  outgoing: OutgoingMessage[];
  /** Command ids whose effects this batch applied (not answered from the record). */
  applied: Set<string>;
}

export function commandBatchHandler<TPrepared>(options: WorkerRuntimeOptions<TPrepared>) {
  const { queue, db, publisher, handler, logger } = options;

  return async (messages: readonly ConsumeMessage[]): Promise<Outcome[]> => {
    const poison: OutgoingMessage[] = [];
    const decoded = decodeAll(messages, poison);
    try {
      const outcomes = await handleBatch(messages, decoded, poison);
      endConsumeSpans(decoded);
      return outcomes;
    } catch (error) {
      endConsumeSpans(decoded, error);
      throw error;
    }
  };

  async function handleBatch(
    messages: readonly ConsumeMessage[],
    decoded: Decoded[],
    poison: OutgoingMessage[],
  ): Promise<Outcome[]> {
    let handled: Handled;
    try {
      handled = await handleAll(decoded, false);
    } catch (error) {
      if (!isTakenElsewhere(error)) throw error;
      // Another instance committed one of these commands first: its reply is on record now.
      handled = await handleAll(decoded, true);
    }
    // Every delivery of a command is answered with the one reply stored for it, in its trace.
    const firstAnswers = new Set<string>();
    const answered = decoded.flatMap((d) => {
      const id = d.command.data.command_id;
      const reply = handled.replies.get(id);
      if (!reply) return [];
      const duplicate = !handled.applied.has(id) || firstAnswers.has(id);
      firstAnswers.add(id);
      const trace = d.span ? traceparentOf(d.span) : traceparentIn(d.message);
      return [{ command: d.command, reply, duplicate, trace }];
    });
    const outgoing = [
      ...poison,
      ...handled.outgoing,
      ...answered.map(({ reply, trace }) => replyMessage(reply, trace)),
    ];
    await publisher.publishAll(outgoing);
    options.onReplied?.(answered);
    return messages.map(() => ({ kind: 'ack' }));
  }

  /**
   * Answers what was answered before from the record, and does the rest. Only a delivery that
   * may have been answered before is looked up (see `mayHaveBeenAnswered`); a first delivery
   * goes straight to the transaction, whose reply record would refuse a second answer.
   */
  async function handleAll(decoded: Decoded[], lookUpAll: boolean): Promise<Handled> {
    const outgoing: OutgoingMessage[] = [];
    const applied = new Set<string>();
    const replies = await findReplies(
      db,
      decoded
        .filter((d) => lookUpAll || mayHaveBeenAnswered(d))
        .map((d) => d.command.data.command_id),
    );
    // A redelivery can share a batch with its original: act once per command id.
    const fresh = uniqueCommands(decoded.filter((d) => !replies.has(d.command.data.command_id)));
    const { work, forced } = await injectFaults(fresh, outgoing);
    for (const { command } of work) {
      const draft = handler.answerWithoutEffect?.(command);
      if (!draft) continue;
      replies.set(command.data.command_id, effectFreeReply(command, draft));
      applied.add(command.data.command_id);
    }
    // What is answered already needs no transaction; the rest has effects to apply.
    const withEffects = work.filter((d) => !replies.has(d.command.data.command_id));
    const prepared = await prepareAll(withEffects, (d, error) =>
      outgoing.push(...technicalFailure(d, error)),
    );
    if (prepared.length + forced.length > 0) {
      try {
        for (const reply of await applyBatch(prepared, forced)) {
          replies.set(reply.data.command_id, reply);
          applied.add(reply.data.command_id);
        }
      } catch (error) {
        // One bad command must not hold back the rest: the consumer retries them one by one.
        if (
          isTransientError(error) ||
          isTakenElsewhere(error) ||
          prepared.length + forced.length > 1
        )
          throw error;
        outgoing.push(...technicalFailure((prepared[0] ?? forced[0])!, error));
      }
    }
    return { replies, outgoing, applied };
  }

  function decodeAll(messages: readonly ConsumeMessage[], outgoing: OutgoingMessage[]): Decoded[] {
    return messages.flatMap((message) => {
      try {
        const command = decodeMessage(message, validateCommand);
        return [{ message, command, span: consumeSpan(queue, message, command) }];
      } catch (error) {
        const reason = describeError(error);
        logger.warn('poison command dead-lettered', {
          queue,
          message_id: message.properties.messageId,
          ...reason,
          details: (error as PoisonMessageError).details,
        });
        const attempts = deliveryAttempt(message);
        outgoing.push(
          deadLetterOf(message, queue, attempts, { code: 'POISON', message: reason.error }),
        );
        return [];
      }
    });
  }

  /** The failure-injection seam: decides, per delivery, whether the work happens at all. */
  async function injectFaults(items: Decoded[], outgoing: OutgoingMessage[]) {
    const work: Decoded[] = [];
    const forced: Forced[] = [];
    let latencyMs = 0;
    for (const item of items) {
      const fault = options.faultInjection ? await faultFor(item) : undefined;
      if (fault) logger.warn('failure injected', { ...idsOf(item.command), mode: fault.mode });
      if (fault?.mode === 'latency') latencyMs = Math.max(latencyMs, fault.latencyMs);
      if (!fault || fault.mode === 'latency') work.push(item);
      else if (fault.mode === 'decline')
        forced.push({ ...item, draft: simulatedDecline(item.command) });
      else if (fault.mode === 'error')
        outgoing.push(...technicalFailure(item, new SimulatedFailure()));
      else if (fault.mode === 'poison')
        outgoing.push(deadLetterNow(item, 'POISON', 'poison message injected by simulate'));
      else if (fault.mode === 'crash') crashNow();
      // 'timeout': acked with no reply at all; the coordinator's step deadline takes over.
    }
    // Every slowed command waits the same wall time, together: the batch is delayed once.
    if (latencyMs > 0) await sleep(latencyMs);
    return { work, forced };
  }

  /** A per-order simulation first; otherwise a runtime rule (latency delays, then works). */
  async function faultFor({ command, message }: Decoded): Promise<InjectedFault | undefined> {
    const simulation = simulationIn(message);
    if (simulation) {
      const mode = await faultForDelivery(db, command, simulation);
      return mode ? { mode, latencyMs: 0 } : undefined;
    }
    return options.faultRules?.pick(command);
  }

  async function prepareAll(
    items: Decoded[],
    onFailure: (item: Decoded, error: unknown) => void,
  ): Promise<PreparedCommand<TPrepared>[]> {
    const settled = await Promise.allSettled(
      items.map((d) => withSpan(d.span, () => handler.prepare(d.command, d.message))),
    );
    // A database we cannot reach is no failure of the command: the consumer retries the whole
    // batch once it is back, and none of the command's retries is spent on our own outage.
    const unreachable = settled.find(
      (result) => result.status === 'rejected' && isTransientError(result.reason),
    );
    if (unreachable) throw (unreachable as PromiseRejectedResult).reason;
    const ready: PreparedCommand<TPrepared>[] = [];
    settled.forEach((result, index) => {
      const item = items[index]!;
      if (result.status === 'fulfilled') ready.push({ ...item, prepared: result.value });
      else onFailure(item, result.reason);
    });
    return ready;
  }

  /** One pipelined transaction: the effects, then the reply records, then COMMIT. */
  async function applyBatch(
    items: PreparedCommand<TPrepared>[],
    forced: Forced[],
  ): Promise<Reply[]> {
    return pipelinedTransaction(db, async (tx) => {
      const drafts = items.length > 0 ? await handler.apply(tx, items) : [];
      const answered = [
        ...items.map((item, index) => ({
          command: item.command,
          reply: replyTo(item.command, drafts[index]!),
        })),
        ...forced.map((item) => ({
          command: item.command,
          reply: replyTo(item.command, item.draft),
        })),
      ];
      tx.write(...recordRepliesStatement(answered));
      return answered.map((a) => a.reply);
    });
  }

  /** Retry later through the broker (telling the coordinator), or dead-letter when spent. */
  function technicalFailure(
    { command, message, span }: Decoded,
    error: unknown,
  ): OutgoingMessage[] {
    const reason = describeError(error);
    const code = reason.code ?? 'TECHNICAL_FAILURE';
    const route = routeTechnicalFailure(message, queue, options.policy, {
      code,
      message: reason.error,
      sagaId: command.saga_id,
      orderId: command.order_id,
      step: command.step,
      command: command.type,
    });
    span?.addEvent(route.kind === 'dead-letter' ? 'dead-lettered' : 'retry scheduled', {
      'error.type': code,
    });
    if (route.kind === 'dead-letter') {
      logger.error('command dead-lettered', {
        ...idsOf(command),
        attempts: deliveryAttempt(message),
        ...reason,
      });
      return [route.message];
    }
    logger.warn('command retry scheduled', {
      ...idsOf(command),
      retry: route.retry,
      delay_ms: route.delayMs,
      ...reason,
    });
    options.onRetry?.(command, route.retry);
    const notice = retryNotice(command, {
      retry: route.retry,
      delayMs: route.delayMs,
      code,
      message: reason.error,
    });
    return [route.message, notice];
  }

  function deadLetterNow(
    { command, message }: Decoded,
    code: string,
    text: string,
  ): OutgoingMessage {
    logger.error('command dead-lettered', { ...idsOf(command), code });
    return deadLetterOf(message, queue, deliveryAttempt(message), {
      code,
      message: text,
      sagaId: command.saga_id,
      orderId: command.order_id,
      step: command.step,
      command: command.type,
    });
  }
}

/**
 * Whether this delivery could find its command answered already: a broker redelivery, a
 * delayed retry, a re-send by the coordinator or a dead letter replayed by an operator. The
 * first delivery of a first send cannot, so it skips the look-up.
 */
function mayHaveBeenAnswered({ message, command }: Decoded): boolean {
  const headers = message.properties.headers ?? {};
  return (
    message.fields.redelivered ||
    command.attempt > 1 ||
    headers[ATTEMPT_HEADER] !== undefined ||
    headers[REPLAYED_HEADER] !== undefined
  );
}

/** `crash`: the process dies mid-message, before any ack, exactly like a real crash. */
function crashNow(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: the process was killed');
}

function idsOf(command: Command) {
  return {
    saga_id: command.saga_id,
    order_id: command.order_id,
    correlation_id: command.correlation_id,
    command: command.type,
  };
}

function uniqueCommands(items: Decoded[]): Decoded[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const id = item.command.data.command_id;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
