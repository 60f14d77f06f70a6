#!/usr/bin/env node
// `npm run chat -- --channel whatsapp|instagram|messenger [--as <customerId>] [--name <name>]`:
// play an end customer against the local cloud's Graph API simulator, in the terminal.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  DEFAULT_GRAPH_SIM_PORT,
  defaultAccountId,
  isSimChannel,
  LOCAL_CUSTOMER_NAME,
  LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER,
  type SimChannel,
} from '#lib/local-cloud/graph-simulator/accounts';
import { ChatSession } from '#lib/local-cloud/graph-simulator/chat-session';

const POLL_INTERVAL_MS = 400;
const CHANNEL_NAMES: Record<SimChannel, string> = { whatsapp: 'WhatsApp', instagram: 'Instagram', messenger: 'Messenger' };

function usage(problem: string): never {
  console.error(`${problem}
usage: npm run chat -- --channel whatsapp|instagram|messenger [--as <customerId>] [--name <name>] [--account <id>]
       the simulator is found at http://127.0.0.1:$GRAPH_SIM_PORT (default ${DEFAULT_GRAPH_SIM_PORT}), or --url`);
  process.exit(2);
}

function simulatorUrl(url: string | undefined): string {
  if (url) return url;
  const port = process.env.GRAPH_SIM_PORT || String(DEFAULT_GRAPH_SIM_PORT);
  if (!/^\d+$/.test(port)) usage(`GRAPH_SIM_PORT is not a port: ${port}`);
  return `http://127.0.0.1:${port}`;
}

function readArgs() {
  try {
    return parseArgs({
      options: {
        channel: { type: 'string', default: 'whatsapp' },
        as: { type: 'string' },
        name: { type: 'string' },
        account: { type: 'string' },
        url: { type: 'string' },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
}

async function main(): Promise<void> {
  const { values } = readArgs();
  const channel = values.channel;
  if (!isSimChannel(channel)) usage(`unknown channel: ${channel}`);

  const url = simulatorUrl(values.url);
  const session = new ChatSession({
    simulatorUrl: url,
    channel,
    ...(values.as ? { customerId: values.as } : {}),
    ...(values.account ? { accountId: values.account } : {}),
    name: values.name ?? LOCAL_CUSTOMER_NAME,
    print: (line) => printAbovePrompt(line),
  });

  const business = channel === 'whatsapp' ? LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER : (values.account ?? defaultAccountId(channel));
  console.log(
    `${CHANNEL_NAMES[channel]} chat as ${session.customerId} (${values.name ?? LOCAL_CUSTOMER_NAME}) with ${business}, through ${url}\n` +
      'Type a message and press Enter; type the number of an option to tap it; /quit or Ctrl-D to leave.',
  );

  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'you> ' });
  // Messages from the business arrive while the customer types: print them above the prompt.
  function printAbovePrompt(line: string): void {
    process.stdout.write(`\r\x1b[K${line}\n`);
    rl.prompt(true);
  }

  let polling = false;
  let warnedUnreachable = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    session
      .poll()
      .then(() => {
        warnedUnreachable = false;
      })
      .catch((error: Error) => {
        if (!warnedUnreachable) printAbovePrompt(`! cannot read the conversation from ${url}: ${error.message}`);
        warnedUnreachable = true;
      })
      .finally(() => {
        polling = false;
      });
  }, POLL_INTERVAL_MS);

  // Lines pasted together arrive at once: send them one after the other, in order.
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    queue = queue
      .then(() => session.handleLine(line))
      .then((outcome) => {
        if (outcome === 'quit') rl.close();
        else rl.prompt();
      });
  });
  rl.on('close', () => {
    clearInterval(timer);
    process.stdout.write('\nbye\n');
    process.exit(0);
  });
  rl.prompt();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
