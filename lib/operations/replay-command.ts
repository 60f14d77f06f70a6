import { parseArgs } from 'node:util';
import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { resolveTarget } from '#lib/operations/operations-target';
import { describeFailure, type CommandIo } from '#lib/operations/redrive-command';
import { parseReplayRange, replayArchivedEvents, type ReplayOptions } from '#lib/operations/replay-archived-events';

export interface ReplayCommandDeps {
  readonly events?: (config: EventBridgeClientConfig) => EventBridgeClient;
  readonly replay?: Pick<ReplayOptions, 'pollMs' | 'sleep' | 'timeoutMs' | 'now'>;
}

export const REPLAY_USAGE = `npm run replay -- --from <ISO time> --to <ISO time> [--stage <stage> | --stack <name>] [--local]
                  [--rule <rule ARN>]... [--archive <name>] [--name <replay name>]

  Sends the events the bus archived between --from (inclusive) and --to (exclusive) through the bus
  again, each marked with "replay-name", and waits until the replay completes.
  --rule     only this rule receives them (repeatable); default every rule of the bus
  --archive  which archive when the bus has several; --name the replay's name (default replay-<from>-<random>)
  --stage, --stack, --local, --region, --endpoint  as for npm run redrive`;

function readReplayArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      stage: { type: 'string' },
      stack: { type: 'string' },
      local: { type: 'boolean' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      archive: { type: 'string' },
      rule: { type: 'string', multiple: true },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

/** `npm run replay`: replays the bus archive for a time range. Returns the exit code. */
export async function runReplayCommand(argv: readonly string[], io: CommandIo, deps: ReplayCommandDeps = {}): Promise<number> {
  let values: ReturnType<typeof readReplayArgs>['values'];
  try {
    ({ values } = readReplayArgs(argv));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${REPLAY_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(REPLAY_USAGE);
    return 0;
  }
  let range: ReturnType<typeof parseReplayRange>;
  try {
    range = parseReplayRange(values.from, values.to);
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }
  const target = resolveTarget(values);
  const events = (deps.events ?? ((config) => new EventBridgeClient(config)))(target.clientConfig as EventBridgeClientConfig);
  try {
    const result = await replayArchivedEvents(
      events,
      { busName: target.eventBusName, ...range, archiveName: values.archive, ruleArns: values.rule, replayName: values.name },
      {
        ...deps.replay,
        onStarted: ({ replayName, archiveArn }) => io.out(`Replay ${replayName} started from ${archiveArn} to ${target.eventBusName}`),
        onProgress: (p) =>
          io.out(
            `  ${p.state}${p.lastReplayedEventTime ? `, replayed up to ${p.lastReplayedEventTime.toISOString()}` : ''}${p.stateReason ? ` (${p.stateReason})` : ''}`,
          ),
      },
    );
    if (result.state !== 'COMPLETED') {
      io.err(`Replay ${result.replayName} ended ${result.state}${result.stateReason ? `: ${result.stateReason}` : ''}`);
      return 1;
    }
    return 0;
  } catch (err) {
    io.err(describeFailure(err, target.local));
    return 1;
  } finally {
    events.destroy();
  }
}
