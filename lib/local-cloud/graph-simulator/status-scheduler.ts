/**
 * Runs chains of delayed steps (a message's sent → delivered → read webhooks) in order, and can
 * cancel them all (reset, close) or tell when none is left (tests and the local cloud wait on it).
 */
export interface DelayedStep {
  delayMs: number;
  run: () => Promise<unknown>;
}

interface Chain {
  cancelled: boolean;
  /** Set while the chain waits for its next step; unset while a step runs. */
  timer?: NodeJS.Timeout;
}

export class StatusScheduler {
  private readonly chains = new Set<Chain>();
  private idleWaiters: (() => void)[] = [];

  /** Starts a chain; each step waits its delay after the previous step finished. */
  schedule(steps: DelayedStep[]): void {
    const chain: Chain = { cancelled: false };
    this.chains.add(chain);
    const runFrom = (index: number): void => {
      const step = steps[index];
      if (!step || chain.cancelled) {
        this.finish(chain);
        return;
      }
      chain.timer = setTimeout(() => {
        delete chain.timer;
        step
          .run()
          .catch(() => undefined)
          .finally(() => runFrom(index + 1));
      }, step.delayMs);
    };
    runFrom(0);
  }

  /**
   * Resolves once every chain has run to its end or been cancelled. A step already running when
   * its chain was cancelled (a webhook in flight) is waited for: it can still land.
   */
  whenIdle(): Promise<void> {
    if (this.chains.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  cancelAll(): void {
    for (const chain of [...this.chains]) {
      chain.cancelled = true;
      if (chain.timer !== undefined) {
        clearTimeout(chain.timer);
        this.finish(chain);
      }
    }
  }

  private finish(chain: Chain): void {
    if (!this.chains.delete(chain) || this.chains.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
