/**
 * Consumes a queue in batches: whatever deliveries arrived together are handed to one handler
 * call (one database transaction), then settled together with a single multiple-ack. Nothing is
 * acked before the handler resolves, so a crash at any point leaves the messages on the broker.
 *
 * A transient failure (database or broker connection) retries the same batch with backoff: the
 * deliveries stay unacked and nothing is lost. Any other failure splits the batch so that one
 * bad message cannot hold the others back; a single message that still fails is rejected to the
 * queue's dead-letter exchange rather than requeued in a loop.
 */
import { ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { backoffDelayMs, sleep } from '../backoff';
import { isTransientError } from '../errors';
import { BrokerConnection } from './connection';

export type Outcome = { kind: 'ack' } | { kind: 'reject'; reason: string };

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
  /** Called with the size of every batch handed to the handler (for metrics). */
  onBatch?: (size: number) => void;
}

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
    for (let attempt = 1; ; attempt += 1) {
      // The broker redelivers whatever was unacked on a closed channel: drop our copies.
      if (this.closedChannels.has(batch[0]!.channel)) return;
      try {
        this.options.onBatch?.(batch.length);
        const outcomes = await this.options.handle(batch.map((p) => p.message));
        this.settle(batch, outcomes);
        return;
      } catch (error) {
        if (isTransientError(error)) {
          if (this.stopping.signal.aborted) return;
          const delayMs = backoffDelayMs(attempt);
          this.options.onTransientFailure?.(error, attempt, delayMs);
          await sleep(delayMs, this.stopping.signal);
          continue;
        }
        if (batch.length > 1) {
          for (const single of batch) await this.process([single]);
          return;
        }
        const reason = error instanceof Error ? error.message : String(error);
        this.options.onRejected?.(batch[0]!.message, reason);
        this.settle(batch, [{ kind: 'reject', reason }]);
        return;
      }
    }
  }

  /** Rejects one by one, then acks everything up to the newest accepted delivery at once. */
  private settle(batch: Pending[], outcomes: Outcome[]): void {
    const channel = batch[0]!.channel;
    if (this.closedChannels.has(channel)) return;
    let lastAcked: ConsumeMessage | undefined;
    try {
      batch.forEach((delivery, index) => {
        if (outcomes[index]?.kind === 'reject') channel.nack(delivery.message, false, false);
        else lastAcked = delivery.message;
      });
      if (lastAcked) channel.ack(lastAcked, true);
    } catch {
      // The channel closed while settling: the broker redelivers, the inbox absorbs duplicates.
    }
  }
}
