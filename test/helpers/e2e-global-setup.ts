import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory for this run where end-to-end files share one synthesized assembly. */
    e2eRunDir: string;
  }
}

/**
 * The end-to-end and chaos projects are set up by this file each, in the one vitest process: they
 * share one run directory (so one synthesized assembly), removed when the last of them ends.
 */
interface SharedRunDir {
  dir: string;
  users: number;
}
const KEY = Symbol.for('omnichannel.test.e2eRunDir');
const registry = globalThis as unknown as Record<symbol, SharedRunDir | undefined>;

export function setup(project: TestProject): void {
  const shared = registry[KEY] ?? { dir: mkdtempSync(join(tmpdir(), 'omnichannel-e2e-run-')), users: 0 };
  registry[KEY] = shared;
  shared.users += 1;
  // Only a directory: the assembly is synthesized by the first end-to-end file that needs it.
  project.provide('e2eRunDir', shared.dir);
}

export function teardown(): void {
  const shared = registry[KEY];
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  rmSync(shared.dir, { recursive: true, force: true });
  registry[KEY] = undefined;
}
