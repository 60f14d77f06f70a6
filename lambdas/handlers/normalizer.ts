import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { UNKNOWN_ACCOUNT_REASON } from '#lambdas/accounts/account-gate';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { s3ClaimCheckReader } from '#lambdas/adapters/claim-check-store';
import { dynamoIngressStores } from '#lambdas/ingress/ingress-stores';
import { processFifoBatch } from '#lambdas/ingress/process-fifo-batch';
import { loggableReason } from '#lambdas/ingress/loggable-reason';
import { processIngressRecord, type ProcessDeps } from '#lambdas/ingress/process-ingress-record';
import { returnGroupLater } from '#lambdas/ingress/return-group-later';
import { tableSpendCounter } from '#lambdas/pricing/spend-wiring';
import { tableCampaignCounts } from '#lambdas/campaigns/campaign-wiring';
import { ACCOUNT_HEALTH_METRIC, CHANNEL_METRIC, METRIC, metricChannel, normalizedMetric } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { announcedStatuses } from '#lambdas/status/announced-statuses';

import { environmentSchema } from '#lambdas/handlers/environment/normalizer';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const publisher = eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME);
const accounts = cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) });
const deps: ProcessDeps = {
  ...dynamoIngressStores(db, tableName),
  retentionDays: env.RETENTION_DAYS,
  publisher,
  readClaimCheck: s3ClaimCheckReader(),
  accounts,
  announce: announcedStatuses(env.STATUS_EVENTS),
  // Each message a receipt prices is added to its business's month and budget (lambdas/pricing/).
  spend: tableSpendCounter({ db, tableName, publisher, accounts, onCharged: (micros) => metrics.addMetric(METRIC.metaChargeMicros, MetricUnit.Count, micros) }),
  // Campaign messages' receipts count on their campaign, once each (lambdas/campaigns/campaign-counts.ts).
  campaignCounts: tableCampaignCounts({ db, tableName }),
};

async function recordHandler(record: SQSRecord): Promise<void> {
  const result = await processIngressRecord(record.body, deps);
  metrics.addMetric(normalizedMetric(result.kind, result.outcome), MetricUnit.Count, 1);
  const channel = metricChannel(result.channel);
  if (channel && result.kind === 'message' && result.origin === 'customer' && result.outcome === 'stored') {
    metrics.addMetric(CHANNEL_METRIC.inbound(channel), MetricUnit.Count, 1);
  }
  // Counted once: a redelivered notification is a duplicate.
  if (result.accountHealth && result.outcome === 'stored') metrics.addMetric(ACCOUNT_HEALTH_METRIC[result.accountHealth], MetricUnit.Count, 1);
  if (result.held === 'account_onboarding' && result.outcome === 'stored') metrics.addMetric(METRIC.inboundHeldForOnboarding, MetricUnit.Count, 1);
  if (result.receipt?.status.outcome === 'applied') {
    metrics.addMetric(METRIC.statusAdvanced, MetricUnit.Count, result.receipt.status.advanced);
    metrics.addMetric(METRIC.statusRecordedLate, MetricUnit.Count, result.receipt.status.recorded);
  }
  if (result.receipt?.handedOver) metrics.addMetric(METRIC.statusHandedToTracking, MetricUnit.Count, 1);
  if (result.contactRejected) logger.warn('address-book contact refused by the table; not retried', { sqsMessageId: record.messageId });
  if (result.kind === 'quarantine') {
    metrics.addMetric(METRIC.eventsQuarantined, MetricUnit.Count, 1);
    // Counted once per event: a redelivery finds it already quarantined.
    if (result.reason === UNKNOWN_ACCOUNT_REASON && result.outcome === 'stored') metrics.addMetric(METRIC.eventsFromUnknownAccount, MetricUnit.Count, 1);
    logger.warn('event quarantined', { sqsMessageId: record.messageId, reason: loggableReason(result.reason), outcome: result.outcome });
  }
}

/** Reported to SQS as a batch item failure and retried; say why, with ids only. */
function logFailure(record: SQSRecord, err: unknown): void {
  logger.error('ingress record failed; it will be retried', {
    sqsMessageId: record.messageId,
    receiveCount: record.attributes.ApproximateReceiveCount,
    error: err as Error,
  });
}

const sqs = new SQSClient({});
const ingressQueueUrl = env.QUEUE_URL;

/** The failed record and the rest of its conversation come back together after a backoff. */
async function returnLater(records: SQSRecord[], err: unknown): Promise<void> {
  const retryInSeconds = await returnGroupLater(records, err, {
    sqs,
    queueUrl: ingressQueueUrl,
    onRescheduleFailed: (refused, error) =>
      logger.warn('could not shorten the visibility of ingress records to retry; they return after the queue timeout', {
        records: refused.length,
        error: (error as Error | undefined)?.name,
      }),
  });
  logger.info('conversation rescheduled', { records: records.length, retryInSeconds });
}

/**
 * Ingress FIFO → canonical model → DynamoDB + EventBridge. A failed record fails only its own
 * message group (later records of that group come back with it, in order, after a backoff);
 * other groups go on.
 */
async function normalizer(event: SQSEvent) {
  return processFifoBatch(event.Records, recordHandler, logFailure, returnLater);
}

export const handler = middy(normalizer).use(injectLambdaContext(logger)).use(logMetrics(metrics));
