/**
 * Consumes a queue in batches: whatever deliveries arrived together are handed to one handler
 * call (one database transaction), then settled together with a single multiple-ack. Nothing is
 * acked before the handler resolves, so a crash at any point leaves the messages on the broker.
 *
 * A transient failure (database or broker connection) retries the same batch with backoff: the
 * deliveries stay unacked and nothing is lost. Any other failure splits the batch so that one
 * bad message cannot hold the others back; a single message that still fails is rejected to the
 * queue's dead-letter exchange rather than requeued in a loop.
 *
 * A rejected message goes through the `deadLetter` hook when there is one (published with its
 * provenance, acked once that publish is confirmed); otherwise, or if that publish fails, it
 * is nacked and the broker dead-letters it with nothing but its own x-death record.
 */
import { ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { backoffDelayMs, sleep } from '../backoff';
import { isTransientError } from '../errors';
import { BrokerConnection } from './connection';

export type Outcome = { kind: 'ack' } | { kind: 'reject'; reason: string; code?: string };

/** Why a message is dead-lettered: a stable code and a human-readable reason. */
export interface RejectReason {
  code: string;
  message: string;
}

export type BatchHandler = (messages: readonly ConsumeMessage[]) => Promise<Outcome[]>;

export interface BatchConsumerOptions {
  queue: string;
  prefetch: number;
  maxBatch: number;
  handle: BatchHandler;
  /** Called before each wait on a transient failure; where the caller logs. */
  onTransientFailure?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Called when a single message is rejected because its handling failed. */
  onRejected?: (message: ConsumeMessage, reason: string) => void;
  /** Publishes a rejected message to the dead-letter exchange; resolves once confirmed. */
  deadLetter?: (message: ConsumeMessage, reason: RejectReason) => Promise<void>;
  /** Called with the size of every batch handed to the handler (for metrics). */
  onBatch?: (size: number) => void;
}

/**
 * The longest wait between attempts at a batch that failed transiently. The batch holds its
 * deliveries (commands, replies) unapplied, so once the database is back the wait is lost time
 * on every saga in it: kept well under a step timeout, not the 10 s of a reconnect loop.
 */
const MAX_RETRY_DELAY_MS = 2_000;

interface Pending {
  message: ConsumeMessage;
  channel: Channel;
}

export class BatchConsumer {
  private wrapper: ChannelWrapper | undefined;
  private readonly pending: Pending[] = [];
  private readonly closedChannels = new WeakSet<Channel>();
  private draining: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private consumerTag: { channel: Channel; tag: string } | undefined;
  private retryingTransient = false;

  constructor(
    private readonly connection: BrokerConnection,
    private readonly options: BatchConsumerOptions,
  ) {}

  async start(): Promise<void> {
    this.wrapper = this.connection.createChannel({
      setup: (channel: Channel) => this.setup(channel),
    });
    await this.wrapper.waitForConnect();
  }

  /**
   * True from a transient failure (e.g. the database unreachable) until the batch it failed
   * settles: the deliveries it holds wait, unapplied, for the next attempt.
   */
  get heldBack(): boolean {
    return this.retryingTransient;
  }

  /** Stops taking deliveries and waits for the batch in flight to settle. */
  async stop(): Promise<void> {
    this.stopping.abort();
    const consumer = this.consumerTag;
    if (consumer && !this.closedChannels.has(consumer.channel)) {
      await consumer.channel.cancel(consumer.tag).catch(() => undefined);
    }
    await this.draining;
    await this.wrapper?.close();
  }

  private async setup(channel: Channel): Promise<void> {
    channel.once('close', () => this.closedChannels.add(channel));
    await channel.prefetch(this.options.prefetch);
    const { consumerTag } = await channel.consume(
      this.options.queue,
      (message) => {
        if (message) this.receive({ message, channel });
      },
      { noAck: false },
    );
    this.consumerTag = { channel, tag: consumerTag };
  }

  private receive(delivery: Pending): void {
    this.pending.push(delivery);
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.draining || this.stopping.signal.aborted) return;
    // Deliveries parsed from one socket read arrive in the same tick: wait one turn to batch them.
    this.draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.draining = undefined;
        if (this.pending.length > 0) this.scheduleDrain();
      });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const channel = this.pending[0]!.channel;
      let count = 0;
      while (
        count < this.pending.length &&
        count < this.options.maxBatch &&
        this.pending[count]!.channel === channel
      ) {
        count += 1;
      }
      const batch = this.pending.splice(0, count);
      await this.process(batch);
    }
  }

  private async process(batch: Pending[]): Promise<void> {
    try {
      await this.processUntilSettled(batch);
    } finally {
      this.retryingTransient = false;
    }
  }

  private async processUntilSettled(batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      // The broker redelivers whatever was unacked on a closed channel: drop our copies.
      if (this.closedChannels.has(batch[0]!.channel)) return;
      try {
        this.options.onBatch?.(batch.length);
        const outcomes = await this.options.handle(batch.map((p) => p.message));
        await this.settle(batch, outcomes);
        return;
      } catch (error) {
        if (isTransientError(error)) {
          if (this.stopping.signal.aborted) return;
          this.retryingTransient = true;
          const delayMs = backoffDelayMs(attempt, 250, MAX_RETRY_DELAY_MS);
          this.options.onTransientFailure?.(error, attempt, delayMs);
          await sleep(delayMs, this.stopping.signal);
          continue;
        }
        if (batch.length > 1) {
          for (const single of batch) await this.processUntilSettled([single]);
          return;
        }
        const reason = error instanceof Error ? error.message : String(error);
        this.options.onRejected?.(batch[0]!.message, reason);
        await this.settle(batch, [{ kind: 'reject', reason, code: 'PROCESSING_FAILED' }]);
        return;
      }
    }
  }

  /**
   * Dead-letters the rejected deliveries, nacks those the hook could not, then acks everything
   * up to the newest delivery that is done with at once.
   */
  private async settle(batch: Pending[], outcomes: Outcome[]): Promise<void> {
    const channel = batch[0]!.channel;
    const deadLettered = await this.deadLetter(batch, outcomes);
    if (this.closedChannels.has(channel)) return;
    let lastAcked: ConsumeMessage | undefined;
    try {
      batch.forEach((delivery, index) => {
        const rejected = outcomes[index]?.kind === 'reject' && !deadLettered.has(delivery);
        if (rejected) channel.nack(delivery.message, false, false);
        else lastAcked = delivery.message;
      });
      if (lastAcked) channel.ack(lastAcked, true);
    } catch {
      // The channel closed while settling: the broker redelivers, the inbox absorbs duplicates.
    }
  }

  /** The rejected deliveries whose dead letter the broker confirmed. */
  private async deadLetter(batch: Pending[], outcomes: Outcome[]): Promise<Set<Pending>> {
    const done = new Set<Pending>();
    const hook = this.options.deadLetter;
    if (!hook) return done;
    await Promise.all(
      batch.map(async (delivery, index) => {
        const outcome = outcomes[index];
        if (outcome?.kind !== 'reject') return;
        const reason = { code: outcome.code ?? 'REJECTED', message: outcome.reason };
        // A failed publish falls back to a nack: the broker still dead-letters the message.
        await hook(delivery.message, reason).then(
          () => done.add(delivery),
          () => undefined,
        );
      }),
    );
    return done;
  }
}
