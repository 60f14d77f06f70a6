import { defineConfig } from 'vitest/config';

/**
 * The suite in tiers (`npm run test:unit`, `test:integration`, `test:e2e`; `npm test` runs them all
 * in one vitest run). Vitest runs projects of the same `groupOrder` together with one worker
 * limit, and the groups one after another:
 *
 * 0. unit, infrastructure and integration: CPU-bound, one worker per core.
 * 1. end-to-end: each file runs a whole local cloud and mostly waits on it, so three at a time.
 * 2. the reduced chaos run, on its own: it loads the machine and has deadlines of its own.
 * 3. the browser tests (test/browser): one Chromium and one local cloud at a time, the console built once.
 *
 * On 2 cores vitest's default is one worker, which ran the whole suite one file at a time.
 */
const CPU_WORKERS = 2;
const E2E_WORKERS = 3;

export default defineConfig({
  test: {
    environment: 'node',
    // End-to-end tests wait on the local cloud with their own deadlines; on a busy 2-core machine a
    // whole journey can take over a minute.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/unit/**/*.test.ts',
            'test/fuzz/**/*.test.ts',
            'test/conformance/**/*.test.ts',
            'test/eval/**/*.test.ts',
            'test/bench/cost-prices.test.ts',
          ],
          pool: 'threads',
          maxWorkers: CPU_WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          pool: 'forks',
          // The files share their workers' module cache, so aws-cdk-lib loads once per worker and
          // each set of stack options is synthesized once (test/infra/synthesize.ts).
          isolate: false,
          maxWorkers: CPU_WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/bench/meters/dynamodb-counting-proxy.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          pool: 'forks',
          maxWorkers: CPU_WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/helpers/e2e-global-setup.ts'],
          pool: 'forks',
          maxWorkers: E2E_WORKERS,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.browser.test.ts'],
          // The same run directory (one synthesized assembly) as the end-to-end files; the console built once.
          globalSetup: ['test/helpers/e2e-global-setup.ts', 'test/helpers/browser-global-setup.ts'],
          pool: 'forks',
          // One Chromium and one local cloud at a time.
          maxWorkers: 1,
          sequence: { groupOrder: 3 },
        },
      },
      {
        extends: true,
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          globalSetup: ['test/helpers/e2e-global-setup.ts'],
          pool: 'forks',
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
