import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LocalAssembly, readLocalAssembly, synthesizeLocalAssembly } from '#lib/local-cloud/synthesize-local-assembly';

const WAIT_LIMIT_MS = 10 * 60_000;

/**
 * One synthesized assembly (template and esbuild bundles) for every end-to-end file of a test run:
 * bundling every function takes tens of seconds on a busy machine, and the files would otherwise
 * each do it at the same time. `runDir` is per run (from the global setup); the first file to get
 * there synthesizes, the others wait for it. If that synthesis failed, each synthesizes its own.
 */
export async function sharedLocalAssembly(runDir: string, fallbackOutdir: string): Promise<LocalAssembly> {
  const outdir = join(runDir, 'assembly');
  const ready = join(runDir, 'ready');
  const failed = join(runDir, 'failed');
  let mine = false;
  try {
    mkdirSync(join(runDir, 'lock'));
    mine = true;
  } catch {
    // Another file is synthesizing (or has).
  }
  if (mine) {
    try {
      const assembly = synthesizeLocalAssembly(outdir);
      writeFileSync(ready, assembly.stackName);
      return assembly;
    } catch (err) {
      writeFileSync(failed, String(err));
      throw err;
    }
  }
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!existsSync(ready)) {
    if (existsSync(failed) || Date.now() > deadline) return synthesizeLocalAssembly(fallbackOutdir);
    await new Promise((r) => setTimeout(r, 250));
  }
  return readLocalAssembly(outdir, readFileSync(ready, 'utf8'));
}
