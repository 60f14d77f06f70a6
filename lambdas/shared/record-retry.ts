/**
 * When a failed queue record should come back. Left alone, SQS returns it after the queue's
 * visibility timeout (six times the function timeout: minutes), which is what a customer would
 * wait after a one-off conflict or a Graph API hiccup. Instead the consumer shortens the
 * record's visibility to a backoff that grows with each receive, so a transient failure costs
 * seconds and an outage still spreads its retries over many minutes before the record is parked
 * in the dead-letter queue.
 */
export interface RetryPolicy {
  /** Delay after the first failed receive. */
  firstDelaySeconds: number;
  /** Each further receive multiplies the delay by this. */
  factor: number;
  /** Longest delay. */
  maxDelaySeconds: number;
}

/**
 * 5 s, 15 s, 45 s, 135 s, then 300 s: with the consumer queues' eight receives a record is retried
 * for about 18 minutes before it is dead-lettered.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { firstDelaySeconds: 5, factor: 3, maxDelaySeconds: 300 };

/** SQS's longest visibility timeout: 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Seconds until the record's next attempt after its `receiveCount`-th receive failed. Half the
 * delay is fixed and half random, so records that failed together (one outage) do not all come
 * back in the same second.
 */
export function retryDelaySeconds(receiveCount: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(receiveCount) || 1);
  const full = Math.min(policy.maxDelaySeconds, policy.firstDelaySeconds * policy.factor ** (n - 1));
  return clampVisibility(full / 2 + (random() * full) / 2);
}

/** A wait the failure itself named (a pacing slot, Meta's backoff), as a visibility timeout. */
export function visibilityForWait(waitMs: number): number {
  return clampVisibility(waitMs / 1000);
}

function clampVisibility(seconds: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.ceil(seconds)));
}

/** An error that knows when its record may be tried again (e.g. a send waiting for its slot). */
export interface RetryAfter {
  retryAfterMs: number;
}

export function retryAfterOf(err: unknown): number | undefined {
  const ms = (err as Partial<RetryAfter> | null | undefined)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
