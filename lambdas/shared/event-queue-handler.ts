import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSRecord } from 'aws-lambda';
import { eventQueueConsumer } from '#lambdas/shared/event-queue-consumer';
import { retryAfterOf } from '#lambdas/shared/record-retry';
import { logger, metrics } from '#lambdas/shared/powertools';

/**
 * The Lambda handler of an event consumer (agent, outbound-send, status-tracking): its own queue
 * (`QUEUE_URL` of the handler's environment, `OWN_QUEUE` in handler-environment.ts), Powertools
 * logging and metrics, and a backoff of its own for each failed record (see event-queue-consumer.ts).
 */
export function eventQueueHandler(
  handleDetail: (detail: unknown, record: SQSRecord, context?: Context) => Promise<void>,
  options: { queueUrl: string | undefined },
) {
  const consume = eventQueueConsumer({
    handleDetail,
    sqs: new SQSClient({}),
    queueUrl: options.queueUrl,
    onRecordFailed: (record, error, retryInSeconds) => {
      // A wait the consumer chose itself (pacing, Meta's backoff) is logged where it was decided.
      if (retryAfterOf(error) !== undefined) return;
      const e = error as { name?: string; message?: string } | undefined;
      logger.warn('record failed; it will be retried', {
        sqsMessageId: record.messageId,
        receiveCount: Number(record.attributes?.ApproximateReceiveCount) || 1,
        retryInSeconds,
        error: e?.name,
        // Error messages of the SDK and of this code name no customer data; bounded all the same.
        errorMessage: String(e?.message ?? '').slice(0, 200),
      });
    },
    onRescheduleFailed: (record, error) =>
      logger.warn('could not shorten the visibility of a record to retry; it returns after the queue timeout', {
        sqsMessageId: record.messageId,
        error: (error as Error | undefined)?.name,
      }),
  });
  return middy(consume).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}
