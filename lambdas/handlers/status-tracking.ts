import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { ENV } from '#lambdas/shared/event-contract';
import { requireEnv } from '#lambdas/shared/env';
import { logger, metrics } from '#lambdas/shared/powertools';
import { applyDeliveryStatus, type StatusDeps } from '#lambdas/status/apply-delivery-status';

const deps: StatusDeps = {
  db: documentClient(),
  tableName: requireEnv(ENV.tableName),
  publisher: eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
};

/** The queue carries the EventBridge envelope; anything unreadable becomes an invalid detail. */
function detailOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { detail?: unknown } | null)?.detail;
  } catch {
    return undefined;
  }
}

async function recordHandler(record: SQSRecord): Promise<void> {
  const result = await applyDeliveryStatus(detailOf(record.body), deps, {
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
  });
  switch (result.outcome) {
    case 'invalid':
      // Poison: retrying cannot fix it. Recorded here and in the metric; the record is consumed.
      metrics.addMetric('StatusEventInvalid', MetricUnit.Count, 1);
      logger.error('status event invalid', { sqsMessageId: record.messageId, issues: result.issues });
      return;
    case 'ignored':
      metrics.addMetric('StatusIgnored', MetricUnit.Count, 1);
      return;
    case 'applied':
      metrics.addMetric('StatusAdvanced', MetricUnit.Count, result.advanced);
      metrics.addMetric('StatusRecordedLate', MetricUnit.Count, result.recorded);
      if (result.unknownMessageIds.length > 0) {
        metrics.addMetric('StatusForUnknownMessage', MetricUnit.Count, result.unknownMessageIds.length);
        logger.warn('status for unknown message given up', {
          sqsMessageId: record.messageId,
          providerMessageIds: result.unknownMessageIds,
        });
      }
  }
}

/**
 * Status-tracking queue (EventBridge `message.status_received`) → Message status and timestamps.
 * A record whose message is not known yet throws, so only that record comes back later.
 */
async function statusTracking(event: SQSEvent, context: Context) {
  return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
    context,
    throwOnFullBatchFailure: false,
  });
}

export const handler = middy(statusTracking).use(injectLambdaContext(logger)).use(logMetrics(metrics));
