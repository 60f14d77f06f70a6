import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { TEMPLATE_EVENT_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { applyTemplateNotification, type TemplateEventDeps } from '#lambdas/templates/apply-template-notification';
import { createTemplateStore } from '#lambdas/templates/template-store';
import { environmentSchema } from '#lambdas/handlers/environment/template-events';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const deps: TemplateEventDeps = { templates: createTemplateStore(documentClient(), env.TABLE_NAME) };

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const result = await applyTemplateNotification(detail, deps);
  switch (result.outcome) {
    case 'invalid':
      metrics.addMetric(TEMPLATE_EVENT_METRIC.invalid, MetricUnit.Count, 1);
      logger.error('template event invalid', { sqsMessageId: record.messageId, issues: result.issues });
      return;
    case 'ignored':
      metrics.addMetric(TEMPLATE_EVENT_METRIC.ignored, MetricUnit.Count, 1);
      logger.info('template event ignored', { sqsMessageId: record.messageId, reason: result.reason });
      return;
    case 'stale':
      metrics.addMetric(TEMPLATE_EVENT_METRIC.stale, MetricUnit.Count, 1);
      return;
    case 'applied':
      metrics.addMetric(result.created ? TEMPLATE_EVENT_METRIC.createdFromWebhook : TEMPLATE_EVENT_METRIC.updated, MetricUnit.Count, 1);
  }
}

/** Template webhooks (`notification.received` on the template topics) → the stored templates. */
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
