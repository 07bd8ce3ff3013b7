/**
 * Publishes outbox rows. A run claims up to `batchSize` rows with FOR UPDATE SKIP LOCKED (so
 * several coordinators share the work without publishing a row twice), publishes them all under
 * one confirm window, and commits their deletion only once every confirm is in. A crash
 * before the commit leaves the rows to be published again; consumers' inboxes absorb that.
 *
 * Woken by an in-process call after a local commit, by LISTEN/NOTIFY for other coordinators'
 * commits, and by a poll as a safety net.
 */
import { Client } from 'pg';
import { backoffDelayMs, sleep } from '../lib/backoff';
import { Database } from '../lib/db';
import { ConfirmPublisher } from '../lib/messaging/publisher';

interface ClaimedRow {
  id: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  type: string;
  body: string;
  headers: Record<string, string>;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  /** A LISTEN connection; omitted in tests that step the relay by hand. */
  listen?: () => Client;
  onError?: (error: unknown, delayMs: number) => void;
  onPublished?: (count: number) => void;
}

export class OutboxRelay {
  private running: Promise<void> | undefined;
  private wanted = false;
  private stopped = true;
  private poller: NodeJS.Timeout | undefined;
  private listener: Client | undefined;
  private failures = 0;

  constructor(
    private readonly db: Database,
    private readonly publisher: ConfirmPublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.poller = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 1_000);
    void this.listenForCommits();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    await this.listener?.end().catch(() => undefined);
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
    const count = await this.db.transaction(async (trx) => {
      // Claim and delete in one statement; the deletion only becomes real if every publish is
      // confirmed and the transaction commits.
      const { rows } = await trx.raw<{ rows: ClaimedRow[] }>(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED
         ) RETURNING id, message_id, exchange, routing_key, type, body, headers`,
        [limit],
      );
      if (rows.length === 0) return 0;
      await this.publisher.publishAll(
        rows.map((row) => ({
          exchange: row.exchange,
          routingKey: row.routing_key,
          body: Buffer.from(row.body),
          messageId: row.message_id,
          type: row.type,
          headers: row.headers,
        })),
      );
      return rows.length;
    });
    if (count > 0) this.options.onPublished?.(count);
    return count;
  }

  private async listenForCommits(): Promise<void> {
    const connect = this.options.listen;
    if (!connect) return;
    for (let attempt = 1; !this.stopped; attempt += 1) {
      const client = connect();
      try {
        await client.connect();
        client.on('notification', () => this.wake());
        await client.query('LISTEN outbox');
        this.listener = client;
        attempt = 0;
        await new Promise<void>((resolve) => {
          client.on('error', () => resolve());
          client.once('end', () => resolve());
        });
      } catch {
        // The poll keeps the relay going while LISTEN reconnects.
      }
      await client.end().catch(() => undefined);
      this.wake();
      await sleep(backoffDelayMs(attempt));
    }
  }
}
