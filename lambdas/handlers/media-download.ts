import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { signedS3Put } from '#lambdas/adapters/s3-signed-object';
import { downloadMessageMedia, type MediaDeps } from '#lambdas/media/download-message-media';
import { MediaFailure } from '#lambdas/media/media-errors';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { accountAccessTokens } from '#lambdas/outbound/access-tokens';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { MEDIA_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { environmentSchema } from '#lambdas/handlers/environment/media-download';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';
import { createMediaRecordStore } from '#lambdas/media/media-record-store';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const deps: MediaDeps = {
  mediaRecords: createMediaRecordStore(db, tableName),
  // PutObject signed with the SDK's signer, without the S3 client (about 160 KB of bundle and cold start).
  s3: { put: signedS3Put() },
  bucket: env.MEDIA_BUCKET,
  // A customer's attachment is fetched with the token of the business it was sent to.
  accessTokenFor: accountAccessTokens({
    sharedSecretId: env.META_ACCESS_TOKENS_SECRET_ID,
    accounts: cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) }),
  }),
  graph: {
    baseUrl: env.GRAPH_API_BASE_URL,
    version: env.GRAPH_API_VERSION,
  },
};

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  let result: Awaited<ReturnType<typeof downloadMessageMedia>>;
  try {
    result = await downloadMessageMedia(detail, deps, { receiveCount });
  } catch (err) {
    // Rethrown: the record comes back after its backoff (on the last receive the failure was recorded).
    metrics.addMetric(MEDIA_METRIC.downloadRetried, MetricUnit.Count, 1);
    logger.warn('media download will be retried', {
      sqsMessageId: record.messageId,
      receiveCount,
      reason: err instanceof MediaFailure ? err.reason : (err as Error | undefined)?.name,
      httpStatus: err instanceof MediaFailure ? err.httpStatus : undefined,
    });
    throw err;
  }
  switch (result.outcome) {
    case 'invalid':
      consumeInvalidEvent(record, MEDIA_METRIC.eventInvalid, 'media event', result.issues);
      return;
    case 'skipped':
      metrics.addMetric(MEDIA_METRIC.skipped, MetricUnit.Count, 1);
      if (result.reason === 'message_missing') logger.warn('message of a media event not found', { sqsMessageId: record.messageId });
      return;
    case 'already_stored':
      metrics.addMetric(MEDIA_METRIC.alreadyStored, MetricUnit.Count, 1);
      return;
    case 'stored':
      metrics.addMetric(MEDIA_METRIC.stored, MetricUnit.Count, result.objects);
      metrics.addMetric(MEDIA_METRIC.bytesStored, MetricUnit.Bytes, result.bytes);
      return;
    case 'refused':
      // Final: the source is not one the consumer may fetch. Only the reason is logged, never the URL.
      metrics.addMetric(MEDIA_METRIC.refused, MetricUnit.Count, 1);
      logger.warn('media refused; recorded on the message', { sqsMessageId: record.messageId, reason: result.reason });
      return;
    case 'failed':
      metrics.addMetric(MEDIA_METRIC.downloadFailed, MetricUnit.Count, 1);
      logger.warn('media download failed for good; recorded on the message', {
        sqsMessageId: record.messageId,
        reason: result.reason,
        httpStatus: result.httpStatus,
      });
  }
}

/** Media queue (EventBridge `message.received` with an attachment) → files in the media bucket. */
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
