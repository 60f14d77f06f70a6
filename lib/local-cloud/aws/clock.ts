/**
 * Time as the emulated services see it. Visibility timeouts, delays, dedup windows, retention and
 * retry back-off all read this clock, so tests can jump minutes ahead instead of sleeping.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` once `ms` milliseconds have passed on this clock. Returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    // A pending visibility timer must not keep a finished test run or CLI alive.
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that only moves when told to. Timers fire in time order during `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private timers: PendingTimer[] = [];
  private seq = 0;

  constructor(startMs = Date.parse('2025-01-01T00:00:00.000Z')) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /**
   * Moves time forward, firing each due timer at its own instant and letting the work it starts
   * (promise continuations, socket writes) run before the next one, as real time would.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
      await settleEventLoop();
    }
    this.current = target;
    await settleEventLoop();
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}

/** Lets queued callbacks and I/O completions run; a few turns cover chained continuations. */
export async function settleEventLoop(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
