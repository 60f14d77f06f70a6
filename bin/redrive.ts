#!/usr/bin/env node
// `npm run redrive -- [--stage <stage>] [--local] [--inspect <queue> | --redrive <queue>]`: list,
// look into or redrive the stack's dead-letter queues (`--help` for everything).
import { runRedriveCommand } from '#lib/operations/redrive-command';

process.exitCode = await runRedriveCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
