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

export interface StatusSchedulerOptions {
  /** Chaos runs: run each chain's steps in a random order (a read before its delivered). */
  shuffle?: boolean;
  random?: () => number;
}

export class StatusScheduler {
  private readonly chains = new Set<Chain>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: StatusSchedulerOptions = {}) {}

  /** Starts a chain; each step waits its delay after the previous step finished. */
  schedule(ordered: DelayedStep[]): void {
    const steps = this.options.shuffle ? shuffledRuns(ordered, this.options.random ?? Math.random) : ordered;
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

/** The same delays, with the steps' actions in a random order. */
function shuffledRuns(steps: DelayedStep[], random: () => number): DelayedStep[] {
  const runs = steps.map((s) => s.run);
  for (let i = runs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [runs[i], runs[j]] = [runs[j]!, runs[i]!];
  }
  return steps.map((s, i) => ({ delayMs: s.delayMs, run: runs[i]! }));
}
