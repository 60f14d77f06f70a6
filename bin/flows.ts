#!/usr/bin/env node
// `npm run flows -- get | put | versions --business <id> …`: a business's bot settings (greeting,
// menu, FAQ, hours, handoff), versioned, through the admin API (`--help`).
import { runFlowsCommand } from '#lib/operations/flows-command';

process.exitCode = await runFlowsCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
