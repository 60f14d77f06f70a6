import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { downloadMessageMedia, type MediaDeps } from '#lambdas/media/download-message-media';
import { MediaFailure } from '#lambdas/media/media-errors';
import { MEDIA_BUCKET_ENV } from '#lambdas/media/media-env';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { accountAccessTokens } from '#lambdas/outbound/access-tokens';
import { ENV } from '#lambdas/shared/event-contract';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { optionalEnv, requireEnv } from '#lambdas/shared/env';
import { DEFAULT_GRAPH_API_BASE_URL, GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { logger, metrics } from '#lambdas/shared/powertools';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';

const db = documentClient();
const tableName = requireEnv(ENV.tableName);
const deps: MediaDeps = {
  db,
  tableName,
  s3: new S3Client({}),
  bucket: requireEnv(MEDIA_BUCKET_ENV),
  // A customer's attachment is fetched with the token of the business it was sent to.
  accessTokenFor: accountAccessTokens({ sharedSecretId: requireEnv(ENV.metaAccessTokensSecretId), accounts: cachedAccountReader({ db, tableName }) }),
  graph: {
    baseUrl: optionalEnv(ENV.graphApiBaseUrl, DEFAULT_GRAPH_API_BASE_URL),
    version: optionalEnv(ENV.graphApiVersion, GRAPH_API_VERSION),
  },
};

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  let result: Awaited<ReturnType<typeof downloadMessageMedia>>;
  try {
    result = await downloadMessageMedia(detail, deps, { receiveCount });
  } catch (err) {
    // Rethrown: the record comes back after its backoff (on the last receive the failure was recorded).
    metrics.addMetric('MediaDownloadRetried', MetricUnit.Count, 1);
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
      consumeInvalidEvent(record, 'MediaEventInvalid', 'media event', result.issues);
      return;
    case 'skipped':
      metrics.addMetric('MediaSkipped', MetricUnit.Count, 1);
      if (result.reason === 'message_missing') logger.warn('message of a media event not found', { sqsMessageId: record.messageId });
      return;
    case 'already_stored':
      metrics.addMetric('MediaAlreadyStored', MetricUnit.Count, 1);
      return;
    case 'stored':
      metrics.addMetric('MediaStored', MetricUnit.Count, result.objects);
      metrics.addMetric('MediaBytesStored', MetricUnit.Bytes, result.bytes);
      return;
    case 'refused':
      // Final: the source is not one the consumer may fetch. Only the reason is logged, never the URL.
      metrics.addMetric('MediaRefused', MetricUnit.Count, 1);
      logger.warn('media refused; recorded on the message', { sqsMessageId: record.messageId, reason: result.reason });
      return;
    case 'failed':
      metrics.addMetric('MediaDownloadFailed', MetricUnit.Count, 1);
      logger.warn('media download failed for good; recorded on the message', {
        sqsMessageId: record.messageId,
        reason: result.reason,
        httpStatus: result.httpStatus,
      });
  }
}

/** Media queue (EventBridge `message.received` with an attachment) → files in the media bucket. */
export const handler = eventQueueHandler(handleDetail);
