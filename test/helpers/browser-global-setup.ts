import { ensureConsoleBuilt } from '#lib/local-cloud/console-assets';

/** The browser tests drive the built console: build it once for the run when missing or stale. */
export function setup(): void {
  ensureConsoleBuilt({ log: (line) => console.log(line) });
}
