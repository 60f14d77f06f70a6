import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSRecord } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { tableSpendCounter } from '#lambdas/pricing/spend-wiring';
import { tableCampaignCounts } from '#lambdas/campaigns/campaign-wiring';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { METRIC, STATUS_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { announcedStatuses } from '#lambdas/status/announced-statuses';
import { applyDeliveryStatus, type StatusDeps } from '#lambdas/status/apply-delivery-status';
import { dynamoStatusStores } from '#lambdas/status/status-stores';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { environmentSchema } from '#lambdas/handlers/environment/status-tracking';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const publisher = eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME);
const deps: StatusDeps = {
  ...dynamoStatusStores(db, tableName),
  publisher,
  announce: announcedStatuses(env.STATUS_EVENTS),
  // Each priced message is added to its business's month and budget (lambdas/pricing/).
  spend: tableSpendCounter({
    db,
    tableName,
    publisher,
    accounts: cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) }),
    onCharged: (micros) => metrics.addMetric(METRIC.metaChargeMicros, MetricUnit.Count, micros),
  }),
  // Campaign messages' receipts count on their campaign, once each (lambdas/campaigns/campaign-counts.ts).
  campaignCounts: tableCampaignCounts({ db, tableName }),
};

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const result = await applyDeliveryStatus(detail, deps, {
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
  });
  switch (result.outcome) {
    case 'invalid':
      consumeInvalidEvent(record, STATUS_METRIC.eventInvalid, 'status event', result.issues);
      return;
    case 'ignored':
      metrics.addMetric(STATUS_METRIC.ignored, MetricUnit.Count, 1);
      return;
    case 'applied':
      metrics.addMetric(METRIC.statusAdvanced, MetricUnit.Count, result.advanced);
      metrics.addMetric(METRIC.statusRecordedLate, MetricUnit.Count, result.recorded);
      if (result.unknownMessageIds.length > 0) {
        metrics.addMetric(STATUS_METRIC.forUnknownMessage, MetricUnit.Count, result.unknownMessageIds.length);
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
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
