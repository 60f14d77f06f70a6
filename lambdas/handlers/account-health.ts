import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { createAccountHealthStore } from '#lambdas/accounts/account-registry-store';
import { applyAccountHealth, type HealthDeps } from '#lambdas/accounts/apply-account-health';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { accountHealthMetric } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/account-health';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const deps: HealthDeps = { registry: createAccountHealthStore(documentClient(), env.TABLE_NAME) };

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const result = await applyAccountHealth(detail, deps);
  metrics.addMetric(accountHealthMetric(result.outcome), MetricUnit.Count, 1);
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
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
