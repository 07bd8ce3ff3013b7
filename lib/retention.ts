/**
 * Retention: a background loop that deletes bookkeeping records older than their window (inbox
 * entries, processed commands, fault counters, timelines of ended sagas). It deletes in small
 * batches, each its own short statement that skips rows another transaction holds, so it never
 * waits on the hot path and never holds many locks; a run stops after a bounded number of
 * batches and the next run goes on where it left off. The clock is injected so that tests can
 * move time instead of waiting for it.
 */
import type { Registry } from 'prom-client';
import { Database } from './db';
import { Logger, describeError } from './logger';
import { counter } from './metrics';

/** One kind of record to expire: its name (a metrics label) and how to delete a batch. */
export interface RetentionTask {
  name: string;
  windowDays: number;
  /** Deletes at most `limit` records older than `cutoff`; returns how many it deleted. */
  deleteBatch(db: Database, cutoff: Date, limit: number): Promise<number>;
}

export interface RetentionOptions {
  intervalMs?: number;
  batchSize?: number;
  /** Batches per task and run: bounds how long one run keeps a connection busy. */
  maxBatchesPerRun?: number;
  now?: () => Date;
  onDeleted?: (task: string, count: number) => void;
  onError?: (error: unknown) => void;
}

const DAY_MS = 86_400_000;

export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly db: Database,
    private readonly tasks: readonly RetentionTask[],
    private readonly options: RetentionOptions = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs ?? 60_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs every task once; returns how many records each deleted. */
  async runOnce(): Promise<Record<string, number>> {
    const now = (this.options.now ?? (() => new Date()))();
    const batchSize = this.options.batchSize ?? 500;
    const maxBatches = this.options.maxBatchesPerRun ?? 20;
    const deleted: Record<string, number> = {};
    for (const task of this.tasks) {
      const cutoff = new Date(now.getTime() - task.windowDays * DAY_MS);
      let total = 0;
      for (let batch = 0; batch < maxBatches; batch++) {
        const count = await task.deleteBatch(this.db, cutoff, batchSize);
        total += count;
        if (count < batchSize) break;
      }
      deleted[task.name] = total;
      if (total > 0) this.options.onDeleted?.(task.name, total);
    }
    return deleted;
  }
}

/**
 * A task for a table whose rows expire by one timestamp column, deleted by primary key. The
 * rows are chosen with SKIP LOCKED: a row a live transaction touches is left for a later run.
 */
export function olderThan(
  table: string,
  key: string,
  column: string,
  windowDays: number,
): RetentionTask {
  return {
    name: table,
    windowDays,
    async deleteBatch(db, cutoff, limit) {
      const result = await db.raw<{ rowCount: number }>(
        `DELETE FROM ?? WHERE ?? IN (
           SELECT ?? FROM ?? WHERE ?? < ? LIMIT ? FOR UPDATE SKIP LOCKED)`,
        [table, key, key, table, column, cutoff, limit],
      );
      return result.rowCount;
    },
  };
}

/**
 * The loop a service runs: deletions counted in `order_saga_retention_deleted_total` by table,
 * and logged, since a sudden large deletion is worth an operator's glance.
 */
export function retentionLoop(
  context: { db: Database; registry: Registry; logger: Logger },
  tasks: readonly RetentionTask[],
): Retention {
  const deleted = counter(
    context.registry,
    'order_saga_retention_deleted_total',
    'Records deleted by retention, by table',
    ['table'],
  );
  return new Retention(context.db, tasks, {
    onDeleted: (table, count) => {
      deleted.inc({ table }, count);
      context.logger.info('retention deleted records', { table, count });
    },
    onError: (error) => context.logger.warn('retention run failed', describeError(error)),
  });
}
