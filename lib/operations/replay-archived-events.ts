import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  ListArchivesCommand,
  StartReplayCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';

export interface ReplayRequest {
  readonly busName: string;
  readonly from: Date;
  readonly to: Date;
  /** Which archive when the bus has several (its name). */
  readonly archiveName?: string | undefined;
  /** Only these rules (ARNs) receive the replayed events; default every rule of the bus. */
  readonly ruleArns?: readonly string[] | undefined;
  readonly replayName?: string | undefined;
}

export interface ReplayProgress {
  readonly replayName: string;
  readonly state: string;
  readonly stateReason: string | undefined;
  /** Event time of the last event replayed so far. */
  readonly lastReplayedEventTime: Date | undefined;
}

export interface ReplayOptions {
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly onStarted?: (info: { replayName: string; archiveArn: string; busArn: string }) => void;
  readonly onProgress?: (progress: ReplayProgress) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

export class ReplayRequestError extends Error {
  override name = 'ReplayRequestError';
}

const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Checks a time range given on the command line: both ISO times, `from` before `to`. */
export function parseReplayRange(from: string | undefined, to: string | undefined): { from: Date; to: Date } {
  if (!from || !to)
    throw new ReplayRequestError('Give the range as --from <ISO time> --to <ISO time>, e.g. --from 2026-11-21T00:00:00Z --to 2026-11-21T06:00:00Z');
  const range = { from: new Date(from), to: new Date(to) };
  if (Number.isNaN(range.from.getTime())) throw new ReplayRequestError(`--from ${from} is not an ISO time`);
  if (Number.isNaN(range.to.getTime())) throw new ReplayRequestError(`--to ${to} is not an ISO time`);
  if (range.from >= range.to) throw new ReplayRequestError('--from must be before --to');
  return range;
}

/** `replay-20261121T000000-ab12`: within EventBridge's 64 characters of `[.-_A-Za-z0-9]`. */
export function defaultReplayName(from: Date, random: () => number = Math.random): string {
  const stamp = from
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, '');
  return `replay-${stamp}-${Math.floor(random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`;
}

/**
 * Sends the bus's archived events of [from, to) to the bus again (StartReplay; each carries
 * `replay-name`) and follows the replay with DescribeReplay until it finishes. Every consumer is
 * idempotent, so events they already handled are harmless.
 */
export async function replayArchivedEvents(events: EventBridgeClient, request: ReplayRequest, options: ReplayOptions = {}): Promise<ReplayProgress> {
  const bus = await events.send(new DescribeEventBusCommand({ Name: request.busName }));
  const busArn = bus.Arn;
  if (!busArn) throw new ReplayRequestError(`Event bus ${request.busName} has no ARN`);
  const archives = (await events.send(new ListArchivesCommand({ EventSourceArn: busArn }))).Archives ?? [];
  const candidates = request.archiveName ? archives.filter((a) => a.ArchiveName === request.archiveName) : archives;
  if (candidates.length === 0) {
    throw new ReplayRequestError(
      request.archiveName ? `Bus ${request.busName} has no archive ${request.archiveName}` : `Bus ${request.busName} has no archive to replay from`,
    );
  }
  if (candidates.length > 1) {
    throw new ReplayRequestError(`Bus ${request.busName} has several archives; choose one with --archive: ${candidates.map((a) => a.ArchiveName).join(', ')}`);
  }
  // ListArchives gives names only; StartReplay wants the archive's ARN.
  const archiveArn = (await events.send(new DescribeArchiveCommand({ ArchiveName: candidates[0]?.ArchiveName }))).ArchiveArn;
  if (!archiveArn) throw new ReplayRequestError(`Archive ${candidates[0]?.ArchiveName} has no ARN`);
  const now = (options.now ?? (() => new Date()))();
  if (request.from > now) throw new ReplayRequestError('--from is in the future: nothing is archived there yet');
  const replayName = request.replayName ?? defaultReplayName(request.from);

  await events.send(
    new StartReplayCommand({
      ReplayName: replayName,
      Description: `Events of ${request.from.toISOString()} to ${request.to.toISOString()}`,
      EventSourceArn: archiveArn,
      EventStartTime: request.from,
      EventEndTime: request.to,
      Destination: { Arn: busArn, ...(request.ruleArns?.length ? { FilterArns: [...request.ruleArns] } : {}) },
    }),
  );
  options.onStarted?.({ replayName, archiveArn, busArn });

  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (options.timeoutMs ?? 60 * 60_000);
  for (;;) {
    const r = await events.send(new DescribeReplayCommand({ ReplayName: replayName }));
    const progress: ReplayProgress = {
      replayName,
      state: r.State ?? 'UNKNOWN',
      stateReason: r.StateReason,
      lastReplayedEventTime: r.EventLastReplayedTime,
    };
    options.onProgress?.(progress);
    if (FINISHED.has(progress.state)) return progress;
    if (Date.now() > deadline) return { ...progress, state: `${progress.state} (still running; follow it with DescribeReplay)` };
    await sleep(options.pollMs ?? 5000);
  }
}
