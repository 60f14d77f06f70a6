import { ListMessageMoveTasksCommand, StartMessageMoveTaskCommand, type ListMessageMoveTasksResultEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueue } from '#lib/operations/dead-letter-queues';

export interface MoveTaskProgress {
  readonly status: string;
  readonly moved: number;
  /** Known once SQS has counted the queue. */
  readonly toMove: number | undefined;
  readonly failureReason: string | undefined;
}

export interface RedriveOptions {
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: MoveTaskProgress) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/**
 * Moves a dead-letter queue's messages back to the queue they failed in (StartMessageMoveTask) and
 * follows the task with ListMessageMoveTasks until it finishes. The destination is named
 * explicitly: messages EventBridge could not deliver were never in the source queue, and SQS can
 * only send those back when told where.
 */
export async function redriveDeadLetters(sqs: SQSClient, queue: DeadLetterQueue, options: RedriveOptions = {}): Promise<MoveTaskProgress> {
  const started = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queue.arn, DestinationArn: queue.sourceArn }));
  const handle = started.TaskHandle;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  for (;;) {
    const list = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: queue.arn, MaxResults: 10 }));
    const task = ourTask(list.Results ?? [], handle);
    const progress: MoveTaskProgress = {
      status: task?.Status ?? 'UNKNOWN',
      moved: task?.ApproximateNumberOfMessagesMoved ?? 0,
      toMove: task?.ApproximateNumberOfMessagesToMove,
      failureReason: task?.FailureReason,
    };
    options.onProgress?.(progress);
    if (FINISHED.has(progress.status)) return progress;
    if (Date.now() > deadline) return { ...progress, status: `${progress.status} (still running; follow it with ListMessageMoveTasks)` };
    await sleep(options.pollMs ?? 2000);
  }
}

/**
 * SQS returns the task handle only while a task runs, newest task first; a finished task is the
 * newest one once ours is no longer listed as running.
 */
function ourTask(results: readonly ListMessageMoveTasksResultEntry[], handle: string | undefined): ListMessageMoveTasksResultEntry | undefined {
  return results.find((t) => handle !== undefined && t.TaskHandle === handle) ?? results.find((t) => t.Status !== 'RUNNING') ?? results[0];
}
