/**
 * Runs chains of delayed steps (a message's sent → delivered → read webhooks) in order, and can
 * cancel them all (reset, close) or tell when none is left (tests and the local cloud wait on it).
 */
export interface DelayedStep {
  delayMs: number;
  run: () => Promise<unknown>;
}

export class StatusScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending = 0;
  private generation = 0;
  private idleWaiters: (() => void)[] = [];

  /** Starts a chain; each step waits its delay after the previous step finished. */
  schedule(steps: DelayedStep[]): void {
    const generation = this.generation;
    this.pending += 1;
    const runFrom = (index: number): void => {
      const step = steps[index];
      if (!step || generation !== this.generation) {
        this.finishChain(generation);
        return;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (generation !== this.generation) return;
        step
          .run()
          .catch(() => undefined)
          .finally(() => runFrom(index + 1));
      }, step.delayMs);
      this.timers.add(timer);
    };
    runFrom(0);
  }

  /** Resolves once every scheduled chain has run to its end (or been cancelled). */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.generation += 1;
    this.pending = 0;
    this.releaseWaiters();
  }

  private finishChain(generation: number): void {
    if (generation !== this.generation) return;
    this.pending -= 1;
    if (this.pending === 0) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
