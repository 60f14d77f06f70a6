import type { Clock } from '#lib/local-cloud/aws/clock';

/**
 * An API destination's InvocationRateLimitPerSecond: no more than `perSecond` invocations start
 * in any one-second window. Calls over the limit are not refused but given a later start time,
 * so they queue up as EventBridge's do (a backlog, not drops).
 */
export class InvocationRateLimiter {
  /** Start times handed out per key, ascending; only the last second's and future ones are kept. */
  private readonly starts = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Reserves the earliest allowed start for one call to `key` and returns it (epoch ms). */
  reserve(key: string, perSecond: number): number {
    const now = this.clock.now();
    const list = (this.starts.get(key) ?? []).filter((t) => t > now - 1000);
    const limit = Math.max(1, Math.floor(perSecond));
    // The call may start once the call `limit` places before it is a full second old.
    const blocker = list.length >= limit ? list[list.length - limit] : undefined;
    const at = blocker === undefined ? now : Math.max(now, blocker + 1000);
    list.push(at);
    this.starts.set(key, list);
    return at;
  }

  reset(): void {
    this.starts.clear();
  }
}
