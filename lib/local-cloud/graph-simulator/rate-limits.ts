/**
 * The two WhatsApp Cloud API limits a sender must pace itself against: throughput per business
 * number (messages per second, error 130429) and the per-recipient pair rate (error 131056).
 * Both take the time from the injected clock, so tests can step through a window.
 */

export interface PairLimit {
  /** One message is allowed per interval once the burst is used up (Meta: one per 6 s). */
  intervalMs: number;
  /** Messages that may go out back to back to one recipient before pacing applies. */
  burst: number;
}

export const DEFAULT_MESSAGES_PER_SECOND = 80;
export const DEFAULT_PAIR_LIMIT: PairLimit = { intervalMs: 6_000, burst: 5 };

const ONE_SECOND_MS = 1_000;

/** A sliding one-second window per key. */
export class ThroughputLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly perSecond: number,
    private readonly clock: () => number,
  ) {}

  allows(key: string): boolean {
    return this.recent(key).length < this.perSecond;
  }

  record(key: string): void {
    const recent = this.recent(key);
    recent.push(this.clock());
    this.sent.set(key, recent);
  }

  reset(): void {
    this.sent.clear();
  }

  private recent(key: string): number[] {
    const since = this.clock() - ONE_SECOND_MS;
    return (this.sent.get(key) ?? []).filter((t) => t > since);
  }
}

/** A token bucket per key: `burst` tokens, one more every `intervalMs`. */
export class PairRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: PairLimit,
    private readonly clock: () => number,
  ) {}

  allows(key: string): boolean {
    return this.tokens(key) >= 1;
  }

  record(key: string): void {
    this.buckets.set(key, { tokens: this.tokens(key) - 1, at: this.clock() });
  }

  reset(): void {
    this.buckets.clear();
  }

  private tokens(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.limit.burst;
    const refilled = (this.clock() - bucket.at) / this.limit.intervalMs;
    return Math.min(this.limit.burst, bucket.tokens + refilled);
  }
}
