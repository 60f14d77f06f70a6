import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { applyAccountHealth, type HealthDeps } from '#lambdas/accounts/apply-account-health';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { ENV } from '#lambdas/shared/event-contract';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { requireEnv } from '#lambdas/shared/env';
import { logger, metrics } from '#lambdas/shared/powertools';

const deps: HealthDeps = { db: documentClient(), tableName: requireEnv(ENV.tableName) };

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const result = await applyAccountHealth(detail, deps);
  metrics.addMetric(`AccountHealth_${result.outcome}`, MetricUnit.Count, 1);
  if (result.outcome === 'invalid') {
    // Poison: retrying cannot fix it. Recorded here and in the metric; the record is consumed.
    logger.error('account health event invalid', { sqsMessageId: record.messageId, issues: result.issues });
  } else if (result.outcome === 'no_account') {
    logger.warn('account health change for a number not in the registry', { sqsMessageId: record.messageId });
  }
}

/**
 * Account-health queue (EventBridge `notification.received` for WhatsApp account, quality and
 * name updates) → quality, limits, display name and standing on the registry items.
 */
export const handler = eventQueueHandler(handleDetail);
