import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { queueUrlFromArn, retryVisibilityFor } from '#lambdas/shared/event-queue-consumer';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '#lambdas/shared/record-retry';

/** SQS takes at most ten entries per ChangeMessageVisibilityBatch. */
const BATCH_LIMIT = 10;

export interface ReturnGroupLaterOptions {
  sqs: Pick<SQSClient, 'send'>;
  /** The FIFO queue's URL (from the stack); the record's ARN gives the AWS URL otherwise. */
  queueUrl?: string;
  policy?: RetryPolicy;
  random?: () => number;
  /** Told when some visibilities could not be shortened (those records return after the queue's timeout). */
  onRescheduleFailed?: (records: SQSRecord[], error: unknown) => void;
}

/**
 * Brings a failed FIFO message group back after a backoff instead of the queue's visibility
 * timeout. The failed record and every later record of its group (all reported as failures, so
 * the group stays in order) get the same visibility: SQS releases the group only when none of its
 * messages is in flight, so shortening just the first would gain nothing. The delay follows the
 * failed record's receive count (5 s, 15 s, 45 s… see record-retry.ts). Returns the seconds chosen.
 */
export async function returnGroupLater(failedRecords: readonly SQSRecord[], error: unknown, options: ReturnGroupLaterOptions): Promise<number | undefined> {
  const first = failedRecords[0];
  if (!first) return undefined;
  const visibilityTimeout = retryVisibilityFor(first, error, options.policy ?? DEFAULT_RETRY_POLICY, options.random);
  const queueUrl = options.queueUrl || queueUrlFromArn(first.eventSourceARN);
  if (!queueUrl) return undefined;
  for (let i = 0; i < failedRecords.length; i += BATCH_LIMIT) {
    const chunk = failedRecords.slice(i, i + BATCH_LIMIT);
    try {
      const out = await options.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle, VisibilityTimeout: visibilityTimeout })),
        }),
      );
      const refused = (out?.Failed ?? []).map((f) => chunk[Number(f.Id)]).filter((r): r is SQSRecord => r !== undefined);
      if (refused.length > 0) options.onRescheduleFailed?.(refused, new Error(out.Failed?.[0]?.Code ?? 'ChangeMessageVisibilityBatch refused'));
    } catch (err) {
      options.onRescheduleFailed?.(chunk, err);
    }
  }
  return visibilityTimeout;
}
