/**
 * The delayed-retry schedule of a failed command: RETRY_DELAY_SECONDS × 2^(retry−1), spread
 * ±20 % so the retries of a burst do not land together. The workers draw delays from it; the
 * configuration checks the step timeout against its longest wait.
 */

export interface RetryPolicy {
  maxRetryAttempts: number;
  retryDelaySeconds: number;
}

const JITTER = 0.2;

/** The delay before retry number `retry` (1-based). */
export function retryDelayMs(policy: RetryPolicy, retry: number, random = Math.random): number {
  const base = policy.retryDelaySeconds * 1000 * 2 ** (retry - 1);
  return Math.max(1, Math.round(base * (1 - JITTER + 2 * JITTER * random())));
}

/**
 * The longest a command can wait in a delayed-retry queue: the last retry's delay at the top
 * of its jitter. Per-message expiry happens at the head of a queue only, so a copy can wait as
 * long as the longest delay drawn for its level, not just its own. 0 without retries.
 */
export function longestRetryDelayMs(policy: RetryPolicy): number {
  if (policy.maxRetryAttempts < 1) return 0;
  return retryDelayMs(policy, policy.maxRetryAttempts, () => 1);
}
