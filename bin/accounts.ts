#!/usr/bin/env node
// `npm run accounts -- list | show | register | offboard …`: the channel account registry, which
// decides which business each WhatsApp number, Instagram account and Page serves (`--help`).
import { runAccountsCommand } from '#lib/operations/accounts-command';

process.exitCode = await runAccountsCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
