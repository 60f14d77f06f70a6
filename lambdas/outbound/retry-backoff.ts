/** Meta's pair-rate error: wait 4^n seconds before the n-th retry to that recipient. */
export const PAIR_RATE_LIMIT_CODE = 131056;
const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * How long a message waits after its `attempt`-th retryable failure. The pair limit follows
 * Meta's advice (4, 16, 64 s…); throughput limits, 5xx and network errors double from 1 s.
 */
export function retryBackoffMs(code: number | undefined, attempt: number): number {
  const n = Math.max(1, attempt);
  const ms = code === PAIR_RATE_LIMIT_CODE ? 4 ** n * 1000 : 2 ** (n - 1) * 1000;
  return Math.min(ms, MAX_BACKOFF_MS);
}
