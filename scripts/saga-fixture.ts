/**
 * `npm run saga:fixture -- <order_id> [--url U] [--max-retry-attempts N] [--description D]`:
 * writes one saga as a replay fixture (its inputs and its whole timeline, as the public API
 * shows them) to standard output. Tests replay such fixtures through today's saga definition and
 * fail where a decision would differ (`test/kit/timeline-replay.ts`).
 */
import { Command, InvalidArgumentError } from 'commander';

interface Options {
  url: string;
  maxRetryAttempts: number;
  description?: string;
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function recordFixture(orderId: string, options: Options): Promise<unknown> {
  const base = options.url.replace(/\/+$/, '');
  const id = encodeURIComponent(orderId);
  const order = await getJson(`${base}/orders/${id}`);
  const saga = await getJson(`${base}/sagas/${encodeURIComponent(String(order.saga_id))}`);
  const timeline = await getJson(`${base}/orders/${id}/timeline`);
  return {
    description: options.description ?? `order ${orderId}, ${String(order.status)}`,
    saga: {
      saga_id: order.saga_id,
      order_id: order.order_id,
      version: saga.version,
      items: order.items,
      total: order.total,
      max_retry_attempts: options.maxRetryAttempts,
      status: order.status,
    },
    timeline: timeline.events,
  };
}

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('not a count');
  return parsed;
}

const program = new Command('saga:fixture')
  .description("write a saga's inputs and timeline as a replay fixture")
  .argument('<order_id>', 'the order whose saga to record')
  .option('--url <url>', "the coordinator's base URL", 'http://localhost:8000')
  .option('--max-retry-attempts <n>', 'MAX_RETRY_ATTEMPTS the saga ran with', count, 3)
  .option('--description <text>', 'what the fixture shows')
  .action(async (orderId: string, options: Options) => {
    process.stdout.write(`${JSON.stringify(await recordFixture(orderId, options), null, 2)}\n`);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
