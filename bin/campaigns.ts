#!/usr/bin/env node
// `npm run campaigns -- list | create | show | preview | schedule | pause | resume | cancel | recipients`:
// a business's template campaigns through the campaigns admin API (`--help`, docs/campaigns.md).
import { runCampaignsCommand } from '#lib/operations/campaigns-command';

process.exitCode = await runCampaignsCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
