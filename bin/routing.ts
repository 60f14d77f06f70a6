#!/usr/bin/env node
// `npm run routing -- list | show | put | delete | get | tag-contact …  --business <id>`: a business's
// contact centre (agents, queues, routing rules, macros, contact tags) through the admin API (`--help`).
import { runRoutingCommand } from '#lib/operations/routing-command';

process.exitCode = await runRoutingCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
