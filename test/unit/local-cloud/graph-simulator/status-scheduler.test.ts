import { describe, expect, it } from 'vitest';
import { StatusScheduler } from '#lib/local-cloud/graph-simulator/status-scheduler';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StatusScheduler', () => {
  it('runs each chain in order, one step after the other finished', async () => {
    const scheduler = new StatusScheduler();
    const log: string[] = [];
    const step = (name: string, delayMs: number, workMs = 0) => ({
      delayMs,
      run: async () => {
        log.push(`${name} start`);
        await tick(workMs);
        log.push(`${name} end`);
      },
    });

    scheduler.schedule([step('sent', 1, 20), step('delivered', 1), step('read', 1)]);
    await scheduler.whenIdle();

    expect(log).toEqual(['sent start', 'sent end', 'delivered start', 'delivered end', 'read start', 'read end']);
  });

  it('keeps going after a step fails', async () => {
    const scheduler = new StatusScheduler();
    const ran: string[] = [];
    scheduler.schedule([
      { delayMs: 1, run: () => Promise.reject(new Error('endpoint down')) },
      { delayMs: 1, run: async () => void ran.push('second') },
    ]);
    await scheduler.whenIdle();
    expect(ran).toEqual(['second']);
  });

  it('cancels waiting steps, but waits for a step already running', async () => {
    const scheduler = new StatusScheduler();
    const ran: string[] = [];
    scheduler.schedule([
      {
        delayMs: 1,
        run: async () => {
          await tick(30);
          ran.push('in flight');
        },
      },
      { delayMs: 1, run: async () => void ran.push('never') },
    ]);
    scheduler.schedule([{ delayMs: 10_000, run: async () => void ran.push('never either') }]);
    await tick(10);

    scheduler.cancelAll();
    await scheduler.whenIdle();

    expect(ran).toEqual(['in flight']);
  });
});
