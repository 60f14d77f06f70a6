import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { dynamoCampaignCounts } from '#lambdas/campaigns/campaign-counts';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import { CAMPAIGN_QUEUE_ENV, sqsCampaignSendQueue, sqsListBuilds, sqsReleaseChecks, sqsReleaseTicks } from '#lambdas/campaigns/campaign-send-queue';
import { ENV } from '#lambdas/shared/event-contract';
import { optionalEnv, requireEnv } from '#lambdas/shared/env';

/** Tuning of the release loop from the environment (lib/constructs/campaigns.ts sets none by default). */
export const CAMPAIGN_TUNING_ENV = {
  tickSeconds: 'CAMPAIGN_TICK_SECONDS',
  maxPerTick: 'CAMPAIGN_MAX_PER_TICK',
  parallelism: 'CAMPAIGN_RELEASE_PARALLELISM',
  /** Test-only compression of the release check's quarter of an hour (unset in a deployment). */
  checkSeconds: 'CAMPAIGN_RELEASE_CHECK_SECONDS',
  /** Test-only: how old a claim must be to count as an interrupted send (default 5 minutes). */
  staleClaimSeconds: 'CAMPAIGN_STALE_CLAIM_SECONDS',
} as const;

/** What every campaign function shares: the table, its store and counters, read once at cold start. */
export function campaignTable(): { db: DynamoDBDocumentClient; tableName: string } {
  return { db: documentClient(), tableName: requireEnv(ENV.tableName) };
}

export function campaignStoreAndCounts(table: { db: DynamoDBDocumentClient; tableName: string }) {
  return { store: dynamoCampaignStore(table), counter: dynamoCampaignCounts(table) };
}

export function campaignPublisher() {
  return eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName));
}

export function releaseTicksFromEnv(sqs: SQSClient = new SQSClient({})) {
  return sqsReleaseTicks({ sqs, queueUrl: requireEnv(CAMPAIGN_QUEUE_ENV.ticksQueueUrl) });
}

export function listBuildsFromEnv(sqs: SQSClient = new SQSClient({})) {
  return sqsListBuilds({ sqs, queueUrl: requireEnv(CAMPAIGN_QUEUE_ENV.ticksQueueUrl) });
}

export function releaseChecksFromEnv(sqs: SQSClient = new SQSClient({})) {
  return sqsReleaseChecks({ sqs, queueUrl: requireEnv(CAMPAIGN_QUEUE_ENV.ticksQueueUrl) });
}

export function campaignSendQueueFromEnv(sqs: SQSClient = new SQSClient({})) {
  return sqsCampaignSendQueue({ sqs, queueUrl: requireEnv(CAMPAIGN_QUEUE_ENV.sendQueueUrl) });
}

/** A positive whole number from the environment, or the default. */
export function tuning(name: string, fallback: number): number {
  const value = Number(optionalEnv(name, String(fallback)));
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

/** Campaign counting for the receipt handlers (normalizer, status tracking): counters and the list's failed marks. */
export function tableCampaignCounts(table: { db: DynamoDBDocumentClient; tableName: string }) {
  const { store, counter } = campaignStoreAndCounts(table);
  return { counter, recipients: store };
}
