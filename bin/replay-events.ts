#!/usr/bin/env node
// `npm run replay -- --from <ISO> --to <ISO> [--stage <stage>] [--local]`: replay the event bus
// archive for a time range and wait until it completes (`--help` for everything).
import { runReplayCommand } from '#lib/operations/replay-command';

process.exitCode = await runReplayCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
