/**
 * Publishes outbox rows that the fast path left behind: rows whose committing process died
 * before publishing them, or whose publish failed (broker down, message returned). It only
 * claims rows older than a grace period, so it does not race the fast path of a live process.
 *
 * A run claims up to `batchSize` such rows with FOR UPDATE SKIP LOCKED (so several coordinators
 * share the work without publishing a row twice), publishes them all under one confirm window,
 * and commits their deletion only once every confirm is in. A crash before the commit leaves the
 * rows to be published again; consumers' inboxes absorb that. It runs on a poll.
 */
import { backoffDelayMs, sleep } from '../lib/backoff';
import { Database } from '../lib/db';
import { ConfirmPublisher } from '../lib/messaging/publisher';
import { outgoingMessage } from './outgoing';
import { CommittedOutboxRow } from './repositories/saga-writes';

export interface OutboxRelayOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  /** Rows younger than this belong to the fast path of the process that wrote them. */
  graceMs?: number;
  onError?: (error: unknown, delayMs: number) => void;
  /** Called after commit with the rows published and the seconds their publish took. */
  onPublished?: (count: number, seconds: number) => void;
  /** Routing keys whose rows are held (a paused step); their release publishes them. */
  heldRoutingKeys?: () => string[];
}

export class OutboxRelay {
  private running: Promise<void> | undefined;
  private wanted = false;
  private stopped = true;
  private poller: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly db: Database,
    private readonly publisher: ConfirmPublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.poller = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 1_000);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    await this.running;
  }

  /** Asks for a run; runs never overlap within a process, a wake during one queues another. */
  wake(): void {
    if (this.stopped) return;
    this.wanted = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    while (this.wanted && !this.stopped) {
      this.wanted = false;
      try {
        const published = await this.runOnce();
        this.failures = 0;
        if (published === (this.options.batchSize ?? 500)) this.wanted = true;
      } catch (error) {
        this.failures += 1;
        const delayMs = backoffDelayMs(this.failures);
        this.options.onError?.(error, delayMs);
        await sleep(delayMs);
        this.wanted = true;
      }
    }
  }

  /** Publishes one batch; returns how many rows it published. */
  async runOnce(): Promise<number> {
    const limit = this.options.batchSize ?? 500;
    const graceSeconds = (this.options.graceMs ?? 5_000) / 1000;
    let seconds = 0;
    const count = await this.db.transaction(async (trx) => {
      // Claim and delete in one statement; the deletion only becomes real if every publish is
      // confirmed and the transaction commits.
      const { rows } = await trx.raw<{ rows: CommittedOutboxRow[] }>(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE created_at <= now() - make_interval(secs => ?)
             AND routing_key <> ALL(?::text[])
           ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED
         ) RETURNING id, message_id, exchange, routing_key, type, body, headers`,
        [graceSeconds, this.options.heldRoutingKeys?.() ?? [], limit],
      );
      if (rows.length === 0) return 0;
      const publishing = process.hrtime.bigint();
      await this.publisher.publishAll(rows.map(outgoingMessage));
      seconds = Number(process.hrtime.bigint() - publishing) / 1e9;
      return rows.length;
    });
    if (count > 0) this.options.onPublished?.(count, seconds);
    return count;
  }
}
