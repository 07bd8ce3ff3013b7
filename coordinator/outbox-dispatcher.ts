/**
 * The fast path of the outbox: the process that committed outbox rows publishes them at once,
 * with publisher confirms, and deletes them afterwards in batches, off the path of the saga.
 * The row is committed before it is published, so nothing is ever published that did not
 * commit. If the process dies or the publish fails in between, the row stays and the relay,
 * which only claims rows older than its grace period, publishes it later; a row confirmed and
 * not yet deleted may so be published twice, which every consumer's inbox absorbs.
 */
import { backoffDelayMs } from '../lib/backoff';
import { Database } from '../lib/db';
import { ConfirmPublisher } from '../lib/messaging/publisher';
import { CommittedOutboxRow } from './repositories/saga-writes';
import { outgoingMessage } from './outgoing';

export interface OutboxDispatcherOptions {
  /** Deletions wait at most this long to be batched with others (default 1 s). */
  deleteDelayMs?: number;
  /** A batch of confirmed rows this large is deleted at once. */
  deleteBatchSize?: number;
  /** Called once a batch is confirmed, with its size and the seconds its publish took. */
  onPublished?: (count: number, seconds: number) => void;
  onPublishFailed?: (error: unknown, rows: number) => void;
  onDeleteFailed?: (error: unknown, delayMs: number) => void;
  /** Rows for a routing key this answers true for stay in the outbox (a paused step). */
  holds?: (routingKey: string) => boolean;
}

/**
 * Each deletion is a commit of its own, and at a few orders a second a short wait deleted a row
 * or two at a time: one more PostgreSQL round trip and commit per command, on the same two cores
 * as the sagas themselves (one order at a time took a tenth longer). Well inside the relay's
 * grace, so a confirmed row is gone long before the relay would publish it again.
 */
const DELETE_DELAY_MS = 1_000;

export class OutboxDispatcher {
  private confirmed: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private deleting: Promise<void> | undefined;
  private deleteFailures = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly publisher: ConfirmPublisher,
    private readonly options: OutboxDispatcherOptions = {},
  ) {}

  /** Publishes rows that have just committed; never throws (a failure leaves them to the relay). */
  dispatch(committed: readonly CommittedOutboxRow[]): void {
    const holds = this.options.holds;
    const rows = holds ? committed.filter((row) => !holds(row.routing_key)) : committed;
    if (rows.length === 0) return;
    const started = process.hrtime.bigint();
    const publishing = this.publisher
      .publishAll(rows.map(outgoingMessage))
      .then(
        () => {
          this.options.onPublished?.(rows.length, Number(process.hrtime.bigint() - started) / 1e9);
          this.confirmed.push(...rows.map((row) => row.id));
          this.scheduleDelete();
        },
        (error: unknown) => this.options.onPublishFailed?.(error, rows.length),
      )
      .finally(() => this.inFlight.delete(publishing));
    this.inFlight.add(publishing);
  }

  /** Waits for publishes in flight, then deletes every confirmed row. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await Promise.all(this.inFlight);
    await this.deleting;
    await this.runOnce().catch(() => undefined);
  }

  /** Deletes the rows confirmed so far; returns how many. */
  async runOnce(): Promise<number> {
    const ids = this.confirmed;
    if (ids.length === 0) return 0;
    this.confirmed = [];
    try {
      await this.db.raw('DELETE FROM outbox WHERE id = ANY(?::bigint[])', [ids]);
      this.deleteFailures = 0;
      return ids.length;
    } catch (error) {
      // Kept for the next run; should the process die first, the relay republishes them.
      this.confirmed.unshift(...ids);
      throw error;
    }
  }

  private scheduleDelete(): void {
    if (this.deleting) return;
    const batchFull = this.confirmed.length >= (this.options.deleteBatchSize ?? 500);
    if (this.timer && !batchFull) return;
    clearTimeout(this.timer);
    const delayMs = batchFull
      ? 0
      : this.deleteFailures > 0
        ? backoffDelayMs(this.deleteFailures)
        : (this.options.deleteDelayMs ?? DELETE_DELAY_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.deleting = this.runOnce()
        .catch((error: unknown) => {
          this.deleteFailures += 1;
          this.options.onDeleteFailed?.(error, backoffDelayMs(this.deleteFailures));
        })
        .then(() => undefined)
        .finally(() => {
          this.deleting = undefined;
          if (this.confirmed.length > 0) this.scheduleDelete();
        });
    }, delayMs);
  }
}
