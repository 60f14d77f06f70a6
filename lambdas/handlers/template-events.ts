import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { ENV } from '#lambdas/shared/event-contract';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { requireEnv } from '#lambdas/shared/env';
import { logger, metrics } from '#lambdas/shared/powertools';
import { applyTemplateNotification, type TemplateEventDeps } from '#lambdas/templates/apply-template-notification';

const deps: TemplateEventDeps = { db: documentClient(), tableName: requireEnv(ENV.tableName) };

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const result = await applyTemplateNotification(detail, deps);
  switch (result.outcome) {
    case 'invalid':
      metrics.addMetric('TemplateEventInvalid', MetricUnit.Count, 1);
      logger.error('template event invalid', { sqsMessageId: record.messageId, issues: result.issues });
      return;
    case 'ignored':
      metrics.addMetric('TemplateEventIgnored', MetricUnit.Count, 1);
      logger.info('template event ignored', { sqsMessageId: record.messageId, reason: result.reason });
      return;
    case 'stale':
      metrics.addMetric('TemplateEventStale', MetricUnit.Count, 1);
      return;
    case 'applied':
      metrics.addMetric(result.created ? 'TemplateCreatedFromWebhook' : 'TemplateUpdated', MetricUnit.Count, 1);
  }
}

/** Template webhooks (`notification.received` on the template topics) → the stored templates. */
export const handler = eventQueueHandler(handleDetail);
