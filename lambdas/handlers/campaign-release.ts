import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { countCampaignReply } from '#lambdas/campaigns/campaign-counts-replies';
import { buildListStep, type ListBuildDeps } from '#lambdas/campaigns/campaign-list-build';
import { releaseTick, type ReleaseDeps } from '#lambdas/campaigns/campaign-release';
import { checkRelease, RELEASE_CHECK_DELAY_SECONDS } from '#lambdas/campaigns/campaign-release-check';
import { DEFAULT_MAX_PER_TICK, DEFAULT_TICK_SECONDS } from '#lambdas/campaigns/campaign-release-decision';
import { dynamoReleaseSources } from '#lambdas/campaigns/campaign-release-sources';
import { dynamoCampaignMessages, dynamoCampaignOutbox, STALE_CLAIM_MS } from '#lambdas/campaigns/campaign-send-items';
import { kickOnChange, watchCampaigns } from '#lambdas/campaigns/campaign-watchdog';
import {
  CAMPAIGN_TUNING_ENV,
  campaignPublisher,
  campaignSendQueueFromEnv,
  campaignStoreAndCounts,
  campaignTable,
  listBuildsFromEnv,
  releaseChecksFromEnv,
  releaseTicksFromEnv,
  tuning,
} from '#lambdas/campaigns/campaign-wiring';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { cachedBudgetGate, dynamoBudgetGate } from '#lambdas/pricing/budget-gate';
import { dynamoSpendStore } from '#lambdas/pricing/spend-store';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { optionalEnv } from '#lambdas/shared/env';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { logger, metrics } from '#lambdas/shared/powertools';

const table = campaignTable();
const { store, counter } = campaignStoreAndCounts(table);
const sqs = new SQSClient({});
const ticks = releaseTicksFromEnv(sqs);
const tickSeconds = tuning(CAMPAIGN_TUNING_ENV.tickSeconds, DEFAULT_TICK_SECONDS);
const scheduleCheck = releaseChecksFromEnv(sqs);
const deps: ReleaseDeps = {
  store,
  counts: counter,
  sources: dynamoReleaseSources(table),
  budget: cachedBudgetGate(dynamoBudgetGate(dynamoSpendStore(table))),
  outbox: dynamoCampaignOutbox({ ...table, retentionDays: Number(optionalEnv('RETENTION_DAYS', '400')) }),
  sendQueue: campaignSendQueueFromEnv(sqs),
  ticks,
  publisher: campaignPublisher(),
  tickSeconds,
  maxPerTick: tuning(CAMPAIGN_TUNING_ENV.maxPerTick, DEFAULT_MAX_PER_TICK),
  parallelism: tuning(CAMPAIGN_TUNING_ENV.parallelism, 16),
  scheduleCheck,
  checkDelaySeconds: tuning(CAMPAIGN_TUNING_ENV.checkSeconds, RELEASE_CHECK_DELAY_SECONDS),
};
const builds = listBuildsFromEnv(sqs);
const buildDeps: ListBuildDeps = { store, contacts: dynamoContactStore(table), sources: deps.sources, builds, publisher: deps.publisher };
const messages = dynamoCampaignMessages({ ...table, staleClaimMs: tuning(CAMPAIGN_TUNING_ENV.staleClaimSeconds, STALE_CLAIM_MS / 1000) * 1000 });

function bodyOf(record: SQSRecord): Record<string, unknown> | undefined {
  try {
    const body = JSON.parse(record.body) as unknown;
    return body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function handleRecord(_detail: unknown, record: SQSRecord, context?: Context): Promise<void> {
  const body = bodyOf(record);
  const detailType = body?.['detail-type'];
  // A campaign scheduled or resumed (from the bus): kick its loop now.
  if (detailType === DETAIL_TYPE.campaignChanged) {
    metrics.addMetric(`CampaignKick_${await kickOnChange(body, { ...deps, builds })}`, MetricUnit.Count, 1);
    return;
  }
  // A customer's WhatsApp message or opt-out (from the bus): the reply and opt-out counts.
  if (detailType === DETAIL_TYPE.messageReceived || detailType === DETAIL_TYPE.consentWithdrawn) {
    const result = await countCampaignReply(record.body, { ...table, counter, store });
    if (result.outcome === 'invalid') consumeInvalidEvent(record, 'CampaignReplyEventInvalid', 'campaign reply event', result.issues);
    else if (result.outcome === 'counted') metrics.addMetric(`CampaignCounted_${result.what}`, MetricUnit.Count, 1);
    return;
  }
  // A quarter of an hour after a tick: its messages looked at again.
  if (body && typeof body.check === 'object') {
    const result = await checkRelease(body, { store, messages, sendQueue: deps.sendQueue, scheduleCheck, checkDelaySeconds: deps.checkDelaySeconds! });
    if (result.outcome === 'invalid') {
      consumeInvalidEvent(record, 'CampaignCheckInvalid', 'campaign release check', result.issues);
      return;
    }
    metrics.addMetric('CampaignSendsAskedAgain', MetricUnit.Count, result.askedAgain);
    if (result.givenUp) {
      metrics.addMetric('CampaignSendsGivenUp', MetricUnit.Count, result.stillOpen);
      logger.error('campaign messages still unsent after every release check; a person has to look', { businessId: body.businessId, campaignId: body.campaignId, stillOpen: result.stillOpen });
    } else if (result.askedAgain > 0) {
      logger.warn('campaign messages asked for again by the release check', { businessId: body.businessId, campaignId: body.campaignId, askedAgain: result.askedAgain, claimsReleased: result.claimsReleased });
    }
    return;
  }
  // A step of a campaign's list build (campaign-list-build.ts): decide the audience, or write a chunk.
  if (body?.kind === 'build') {
    const result = await buildListStep(body, buildDeps);
    if (result.outcome === 'invalid') {
      consumeInvalidEvent(record, 'CampaignBuildInvalid', 'campaign list build', result.issues);
      return;
    }
    metrics.addMetric(`CampaignBuild_${result.outcome}`, MetricUnit.Count, 1);
    if (result.outcome === 'failed') logger.warn('campaign list build failed', { businessId: body.businessId, campaignId: body.campaignId, reason: result.reason });
    else logger.info('campaign list build', { businessId: body.businessId, campaignId: body.campaignId, chunk: body.chunk, ...result });
    return;
  }
  // A tick of one campaign's release loop (a delayed message the loop sent itself).
  const remainingMs = typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : undefined;
  const result = await releaseTick(body, remainingMs ? { ...deps, remainingMs } : deps);
  if (result.outcome === 'invalid') {
    consumeInvalidEvent(record, 'CampaignTickInvalid', 'campaign tick', result.issues);
    return;
  }
  metrics.addMetric(`CampaignTick_${result.outcome}`, MetricUnit.Count, 1);
  if (result.outcome === 'released') metrics.addMetric('CampaignReleased', MetricUnit.Count, result.released);
  // Ids and figures only: recipients are customers.
  logger.info('campaign tick', { businessId: body?.businessId, campaignId: body?.campaignId, tick: body?.tick, ...result });
}

const consume = eventQueueHandler(handleRecord);

/**
 * Campaigns' own work, in one function (docs/campaigns.md):
 * - its queue (`campaign-ticks`): the release loop's ticks and release checks (delayed messages it
 *   sends itself), the steps of list builds (campaign-list-build.ts), `campaign.changed` kicks (scheduled, resumed) and customers' WhatsApp messages
 *   and opt-outs from the bus (reply and opt-out counts);
 * - EventBridge Scheduler every minute: the watchdog (counts rolled up, due campaigns started,
 *   quiet loops kicked).
 * One function rather than three keeps the stack's resources down; each part is its own use case
 * (lambdas/campaigns/campaign-release.ts, campaign-counts-replies.ts, campaign-watchdog.ts).
 */
export async function handler(event: SQSEvent | { scheduledTime?: string }, context: Context) {
  if ('Records' in event && Array.isArray(event.Records)) return consume(event, context);
  const report = await watchCampaigns({ store, ticks, builds, counter, tickSeconds, remainingMs: () => context.getRemainingTimeInMillis() });
  logger.info('campaign watchdog', { ...report });
  return report;
}
