import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DEFAULT_RETRY_POLICY, retryAfterOf, retryDelaySeconds, type RetryPolicy, visibilityForWait } from '#lambdas/shared/record-retry';

/**
 * The queues behind the EventBridge rules carry the whole event envelope; the consumers care for
 * its `detail`. Anything unreadable becomes `undefined`, which each consumer's schema refuses as
 * invalid (consumed and counted, never retried forever).
 */
export function eventDetailOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { detail?: unknown } | null)?.detail;
  } catch {
    return undefined;
  }
}

/** `arn:aws:sqs:<region>:<account>:<name>` → the queue URL the SQS API expects. */
export function queueUrlFromArn(arn: string): string | undefined {
  const [, , service, region, account, name] = arn.split(':');
  return service === 'sqs' && region && account && name ? `https://sqs.${region}.amazonaws.com/${account}/${name}` : undefined;
}

/**
 * Seconds until a failed record should come back: the wait its error names (a pacing slot, Meta's
 * retry advice), else a backoff growing with its receive count.
 */
export function retryVisibilityFor(record: SQSRecord, error: unknown, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random?: () => number): number {
  const named = retryAfterOf(error);
  return named !== undefined ? visibilityForWait(named) : retryDelaySeconds(Number(record.attributes?.ApproximateReceiveCount) || 1, policy, random);
}

export interface EventQueueConsumerOptions {
  /** Handles one event's detail; throwing sends the record back to the queue for a later retry. */
  handleDetail: (detail: unknown, record: SQSRecord, context?: Context) => Promise<void>;
  sqs: Pick<SQSClient, 'send'>;
  /** The consumer's own queue (from the stack); the record's ARN gives the AWS URL otherwise. */
  queueUrl?: string;
  policy?: RetryPolicy;
  random?: () => number;
  /** Told of each failed record and when it will be tried again. */
  onRecordFailed?: (record: SQSRecord, error: unknown, retryInSeconds: number) => void;
  /** Told when the visibility could not be shortened (the record then returns after the queue's timeout). */
  onRescheduleFailed?: (record: SQSRecord, error: unknown) => void;
}

/**
 * An SQS-triggered consumer of EventBridge events: records are processed independently (partial
 * batch responses), and a record that fails comes back after a backoff of its own rather than
 * after the queue's visibility timeout — after the wait its error names (a pacing slot, Meta's
 * retry advice) or else after a delay growing with its receive count.
 */
export function eventQueueConsumer(options: EventQueueConsumerOptions): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;

  async function returnLater(record: SQSRecord, error: unknown): Promise<void> {
    const visibilityTimeout = retryVisibilityFor(record, error, policy, options.random);
    options.onRecordFailed?.(record, error, visibilityTimeout);
    const queueUrl = options.queueUrl || queueUrlFromArn(record.eventSourceARN);
    if (!queueUrl) return;
    try {
      await options.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibilityTimeout }),
      );
    } catch (err) {
      options.onRescheduleFailed?.(record, err);
    }
  }

  // Powertools hands each record handler the invocation's context (for its remaining time).
  async function recordHandler(record: SQSRecord, context?: Context): Promise<void> {
    try {
      await options.handleDetail(eventDetailOf(record.body), record, context);
    } catch (err) {
      await returnLater(record, err);
      throw err;
    }
  }

  return (event, context) =>
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });
}
