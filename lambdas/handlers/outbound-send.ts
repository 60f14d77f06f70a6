import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { createGraphApiClient, GraphApiError } from '#lambdas/adapters/graph-api-client';
import { accessTokensFromSecret } from '#lambdas/outbound/access-tokens';
import { channelAccountLimits } from '#lambdas/outbound/channel-account-limits';
import { SendDeferredError, sendReply, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { dynamoSendPacer } from '#lambdas/outbound/send-pacing';
import { ENV } from '#lambdas/shared/event-contract';
import { optionalEnv, requireEnv } from '#lambdas/shared/env';
import { logger, metrics } from '#lambdas/shared/powertools';

const db = documentClient();
const tableName = requireEnv(ENV.tableName);
const deps: SendReplyDeps = {
  db,
  tableName,
  publisher: eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
  graph: createGraphApiClient({ timeoutMs: Number(optionalEnv('GRAPH_API_TIMEOUT_MS', '10000')) }),
  accessTokenFor: accessTokensFromSecret(requireEnv(ENV.metaAccessTokensSecretId)),
  graphConfig: {
    baseUrl: optionalEnv(ENV.graphApiBaseUrl, 'https://graph.facebook.com'),
    version: optionalEnv(ENV.graphApiVersion, 'v23.0'),
  },
  pacer: dynamoSendPacer({ db, tableName, leadMs: Number(optionalEnv('OUTBOUND_PACING_LEAD_MS', '50')) }),
  limitsFor: channelAccountLimits(db, tableName),
  maxWaitMs: Number(optionalEnv('OUTBOUND_MAX_WAIT_MS', '2000')),
};

const sqs = new SQSClient({});

/** `arn:aws:sqs:<region>:<account>:<name>` → the queue URL the SQS API expects. */
export function queueUrlFromArn(arn: string): string | undefined {
  const [, , service, region, account, name] = arn.split(':');
  return service === 'sqs' && region && account && name ? `https://sqs.${region}.amazonaws.com/${account}/${name}` : undefined;
}

/** SQS's longest visibility timeout: 12 hours. */
const MAX_VISIBILITY_S = 43_200;

/**
 * A deferred record comes back when its wait is over rather than after the queue's visibility
 * timeout (minutes). Best effort: if this fails the record still returns, only later.
 */
async function returnAfter(record: SQSRecord, retryAfterMs: number): Promise<void> {
  const queueUrl = process.env[ENV.outboundQueueUrl] || queueUrlFromArn(record.eventSourceARN);
  if (!queueUrl) return;
  try {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.min(MAX_VISIBILITY_S, Math.max(1, Math.ceil(retryAfterMs / 1000))),
      }),
    );
  } catch (err) {
    logger.warn('could not shorten the visibility of a deferred record', { sqsMessageId: record.messageId, error: (err as Error).name });
  }
}

/** The queue carries the EventBridge envelope; anything unreadable becomes an invalid detail. */
function detailOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { detail?: unknown } | null)?.detail;
  } catch {
    return undefined;
  }
}

async function recordHandler(record: SQSRecord): Promise<void> {
  let result: Awaited<ReturnType<typeof sendReply>>;
  try {
    result = await sendReply(detailOf(record.body), deps);
  } catch (err) {
    // Counted, then rethrown: the record returns to the queue and is retried with the visibility timeout.
    if (err instanceof SendDeferredError) {
      metrics.addMetric('OutboundDeferred', MetricUnit.Count, 1);
      logger.info('send deferred', { sqsMessageId: record.messageId, cause: err.cause_, retryAfterMs: Math.ceil(err.retryAfterMs) });
      await returnAfter(record, err.retryAfterMs);
    }
    if (err instanceof GraphApiError) {
      metrics.addMetric('GraphRetryableError', MetricUnit.Count, 1);
      logger.warn('graph send will be retried', { sqsMessageId: record.messageId, code: err.code, httpStatus: err.httpStatus, fbtraceId: err.fbtraceId });
    }
    throw err;
  }
  switch (result.outcome) {
    case 'invalid':
      // Poison: retrying cannot fix it. Recorded here and in the metric; the record is consumed.
      metrics.addMetric('OutboundEventInvalid', MetricUnit.Count, 1);
      logger.error('reply request invalid', { sqsMessageId: record.messageId, issues: result.issues });
      return;
    case 'missing_message':
      metrics.addMetric('OutboundMessageMissing', MetricUnit.Count, 1);
      logger.error('reply request names no stored message', { sqsMessageId: record.messageId });
      return;
    case 'sent':
      metrics.addMetric('OutboundSent', MetricUnit.Count, 1);
      logger.info('reply sent', { sqsMessageId: record.messageId, providerMessageId: result.providerMessageId });
      return;
    case 'already_done':
      metrics.addMetric('OutboundAlreadyDone', MetricUnit.Count, 1);
      return;
    case 'outcome_unknown':
      metrics.addMetric('OutboundOutcomeUnknown', MetricUnit.Count, 1);
      logger.warn('reply not sent again: outcome of an earlier attempt unknown', { sqsMessageId: record.messageId, reason: result.reason });
      return;
    case 'refused':
      metrics.addMetric('OutboundRefused', MetricUnit.Count, 1);
      logger.warn('reply refused by the send rules', { sqsMessageId: record.messageId, reason: result.reason });
      return;
    case 'failed':
      metrics.addMetric('OutboundFailed', MetricUnit.Count, 1);
      if (result.classification === 'auth') metrics.addMetric('GraphTokenInvalid', MetricUnit.Count, 1);
      logger.warn('reply refused by the Graph API', { sqsMessageId: record.messageId, errorCode: result.errorCode, classification: result.classification });
  }
}

/** Outbound queue (EventBridge `reply.requested`) → Graph API sends, each at most once knowingly. */
async function outboundSend(event: SQSEvent, context: Context) {
  return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
    context,
    throwOnFullBatchFailure: false,
  });
}

export const handler = middy(outboundSend).use(injectLambdaContext(logger)).use(logMetrics(metrics));
