import { parseArgs } from 'node:util';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { listDeadLetterQueues, pickDeadLetterQueue, type DeadLetterQueue } from '#lib/operations/dead-letter-queues';
import { resolveTarget } from '#lib/operations/operations-target';
import { peekMessages, type PeekedMessage } from '#lib/operations/peek-messages';
import { redriveDeadLetters, type RedriveOptions } from '#lib/operations/redrive-dead-letters';

export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface RedriveCommandDeps {
  readonly sqs?: (config: SQSClientConfig) => SQSClient;
  readonly now?: () => number;
  readonly redrive?: Pick<RedriveOptions, 'pollMs' | 'sleep' | 'timeoutMs'>;
}

export const REDRIVE_USAGE = `npm run redrive -- [--stage <stage> | --stack <name>] [--local] [--inspect <queue> [--max <n>] | --redrive <queue>]

  (no action)        list the stack's dead-letter queues: messages waiting, in flight, oldest message
  --inspect <queue>  show up to --max (default 10) messages without consuming them; personal data masked
  --redrive <queue>  move the queue's messages back to the queue they failed in, and follow the move
  <queue>            ingress, agent, outbound-send, status-tracking, reply-watch, … (or a full queue name)
  --stage <stage>    deployment stage (default dev; with --local, local); --stack <name> overrides it
  --local            the local cloud's AWS emulator (http://localhost:$AWS_EMULATOR_PORT, default 4566)
  --region, --endpoint  override the SDK's region / endpoint`;

function readRedriveArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      stage: { type: 'string' },
      stack: { type: 'string' },
      local: { type: 'boolean' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      inspect: { type: 'string' },
      redrive: { type: 'string' },
      max: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

/** `npm run redrive`: list, inspect or redrive the stack's dead-letter queues. Returns the exit code. */
export async function runRedriveCommand(argv: readonly string[], io: CommandIo, deps: RedriveCommandDeps = {}): Promise<number> {
  let values: ReturnType<typeof readRedriveArgs>['values'];
  try {
    ({ values } = readRedriveArgs(argv));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${REDRIVE_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(REDRIVE_USAGE);
    return 0;
  }
  if (values.inspect && values.redrive) {
    io.err('Choose one of --inspect and --redrive.');
    return 2;
  }
  const max = values.max === undefined ? 10 : Number(values.max);
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    io.err('--max must be a whole number from 1 to 100.');
    return 2;
  }
  const target = resolveTarget(values);
  const sqs = (deps.sqs ?? ((config) => new SQSClient(config)))(target.clientConfig as SQSClientConfig);
  const now = deps.now ?? Date.now;
  try {
    const queues = await listDeadLetterQueues(sqs, target.queueNamePrefix);
    if (queues.length === 0) {
      io.err(`No dead-letter queues found for stack ${target.stackName} (queue names starting with ${target.queueNamePrefix}).`);
      return 1;
    }
    if (values.inspect) {
      const queue = pickDeadLetterQueue(queues, values.inspect);
      const messages = await peekMessages(sqs, queue.url, { max });
      io.out(`${queue.name} dead-letter queue: ${queue.visible} waiting, ${queue.inFlight} in flight; showing ${messages.length} (left in the queue)`);
      for (const m of messages) io.out(formatMessage(m, now()));
      return 0;
    }
    if (values.redrive) {
      const queue = pickDeadLetterQueue(queues, values.redrive);
      io.out(`Moving ${queue.visible} message(s) from ${queue.arn} back to ${queue.sourceArn}`);
      const result = await redriveDeadLetters(sqs, queue, {
        ...deps.redrive,
        onProgress: (p) => io.out(`  ${p.status}: ${p.moved}${p.toMove !== undefined ? ` of ${p.toMove}` : ''} moved`),
      });
      if (result.status !== 'COMPLETED') {
        io.err(`The move ended ${result.status}${result.failureReason ? `: ${result.failureReason}` : ''}`);
        return 1;
      }
      return 0;
    }
    io.out(`Dead-letter queues of ${target.stackName}:`);
    for (const queue of queues) io.out(await formatQueue(sqs, queue, now()));
    return 0;
  } catch (err) {
    io.err(describeFailure(err, target.local));
    return 1;
  } finally {
    sqs.destroy();
  }
}

/** One line per queue; the age is that of the oldest of the first messages looked at (sent time). */
async function formatQueue(sqs: SQSClient, queue: DeadLetterQueue, now: number): Promise<string> {
  let age = '-';
  if (queue.visible > 0) {
    const sample = await peekMessages(sqs, queue.url, { max: 10, bodyChars: 0 });
    const oldest = sample
      .map((m) => (m.sentAt ? Date.parse(m.sentAt) : Number.NaN))
      .filter(Number.isFinite)
      .sort((a, b) => a - b)[0];
    if (oldest !== undefined) age = formatAge(now - oldest);
  }
  return `  ${queue.name.padEnd(16)} ${String(queue.visible).padStart(6)} waiting ${String(queue.inFlight).padStart(5)} in flight   oldest ${age.padEnd(8)} ${queue.url}`;
}

function formatMessage(m: PeekedMessage, now: number): string {
  const lines = [
    `- ${m.messageId}  received ${m.receiveCount}×  sent ${m.sentAt ?? '?'}${m.sentAt ? ` (${formatAge(now - Date.parse(m.sentAt))} ago)` : ''}${m.groupId ? `  group ${m.groupId.replace(/:[^:]+$/, ':…')}` : ''}`,
  ];
  if (m.deadLetterSourceArn) lines.push(`    failed in ${m.deadLetterSourceArn}`);
  for (const [k, v] of Object.entries(m.attributes)) lines.push(`    ${k}: ${v.length > 300 ? `${v.slice(0, 300)}…` : v}`);
  lines.push(`    body: ${m.body}`);
  return lines.join('\n');
}

/** `95000` → `1m 35s`; `190000000` → `2d 4h`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** The error for the operator, with the likely cause when the local cloud is not running. */
export function describeFailure(err: unknown, local: boolean): string {
  const e = err as Error & { code?: string };
  const text = `${e.name}: ${e.message}`;
  return local && (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(e.message)) ? `${text}\nIs the local cloud running (npm start)?` : text;
}
