import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { countCampaignReply } from '#lambdas/campaigns/campaign-counts-replies';
import { dynamoConversationCampaignReader } from '#lambdas/campaigns/campaign-counts-store';
import { buildListStep, type ListBuildDeps } from '#lambdas/campaigns/campaign-list-build';
import { releaseTick, type ReleaseDeps } from '#lambdas/campaigns/campaign-release';
import { checkRelease } from '#lambdas/campaigns/campaign-release-check';
import { dynamoReleaseSources } from '#lambdas/campaigns/campaign-lookups-store';
import { dynamoCampaignMessages, dynamoCampaignOutbox } from '#lambdas/campaigns/campaign-send-items-store';
import { kickOnChange, watchCampaigns } from '#lambdas/campaigns/campaign-watchdog';
import { sqsCampaignSendQueue, sqsListBuilds, sqsReleaseChecks, sqsReleaseTicks } from '#lambdas/campaigns/campaign-send-queue';
import { campaignStoreAndCounts } from '#lambdas/campaigns/campaign-wiring';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { cachedBudgetGate, dynamoBudgetGate } from '#lambdas/pricing/budget-gate';
import { dynamoSpendStore } from '#lambdas/pricing/spend-store';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { CAMPAIGN_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/campaign-release';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const table = { db: documentClient(), tableName: env.TABLE_NAME };
const { store, counter } = campaignStoreAndCounts(table);
const sqs = new SQSClient({});
// Ticks, release checks and list-build steps share the function's own tick queue.
const ticks = sqsReleaseTicks({ sqs, queueUrl: env.CAMPAIGN_TICKS_QUEUE_URL });
const tickSeconds = env.CAMPAIGN_TICK_SECONDS;
const scheduleCheck = sqsReleaseChecks({ sqs, queueUrl: env.CAMPAIGN_TICKS_QUEUE_URL });
const deps: ReleaseDeps = {
  store,
  counts: counter,
  sources: dynamoReleaseSources(table),
  budget: cachedBudgetGate(dynamoBudgetGate(dynamoSpendStore(table))),
  outbox: dynamoCampaignOutbox({ ...table, retentionDays: env.RETENTION_DAYS }),
  sendQueue: sqsCampaignSendQueue({ sqs, queueUrl: env.CAMPAIGN_SEND_QUEUE_URL }),
  ticks,
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  tickSeconds,
  maxPerTick: env.CAMPAIGN_MAX_PER_TICK,
  parallelism: env.CAMPAIGN_RELEASE_PARALLELISM,
  scheduleCheck,
  checkDelaySeconds: env.CAMPAIGN_RELEASE_CHECK_SECONDS,
};
const builds = sqsListBuilds({ sqs, queueUrl: env.CAMPAIGN_TICKS_QUEUE_URL });
const buildDeps: ListBuildDeps = { store, contacts: dynamoContactStore(table), sources: deps.sources, builds, publisher: deps.publisher };
const messages = dynamoCampaignMessages({ ...table, staleClaimMs: env.CAMPAIGN_STALE_CLAIM_SECONDS * 1000 });
// Replies and opt-outs count on the conversation's last campaign (campaigns/campaign-counts-replies.ts).
const replyCountDeps = { conversations: dynamoConversationCampaignReader(table.db, table.tableName), counter, store };

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
    metrics.addMetric(CAMPAIGN_METRIC.kick(await kickOnChange(body, { ...deps, builds })), MetricUnit.Count, 1);
    return;
  }
  // A customer's WhatsApp message or opt-out (from the bus): the reply and opt-out counts.
  if (detailType === DETAIL_TYPE.messageReceived || detailType === DETAIL_TYPE.consentWithdrawn) {
    const result = await countCampaignReply(record.body, replyCountDeps);
    if (result.outcome === 'invalid') consumeInvalidEvent(record, CAMPAIGN_METRIC.replyEventInvalid, 'campaign reply event', result.issues);
    else if (result.outcome === 'counted') metrics.addMetric(CAMPAIGN_METRIC.counted(result.what), MetricUnit.Count, 1);
    return;
  }
  // A quarter of an hour after a tick: its messages looked at again.
  if (body && typeof body.check === 'object') {
    const result = await checkRelease(body, { store, messages, sendQueue: deps.sendQueue, scheduleCheck, checkDelaySeconds: deps.checkDelaySeconds! });
    if (result.outcome === 'invalid') {
      consumeInvalidEvent(record, CAMPAIGN_METRIC.checkInvalid, 'campaign release check', result.issues);
      return;
    }
    metrics.addMetric(CAMPAIGN_METRIC.sendsAskedAgain, MetricUnit.Count, result.askedAgain);
    if (result.givenUp) {
      metrics.addMetric(CAMPAIGN_METRIC.sendsGivenUp, MetricUnit.Count, result.stillOpen);
      logger.error('campaign messages still unsent after every release check; a person has to look', {
        businessId: body.businessId,
        campaignId: body.campaignId,
        stillOpen: result.stillOpen,
      });
    } else if (result.askedAgain > 0) {
      logger.warn('campaign messages asked for again by the release check', {
        businessId: body.businessId,
        campaignId: body.campaignId,
        askedAgain: result.askedAgain,
        claimsReleased: result.claimsReleased,
      });
    }
    return;
  }
  // A step of a campaign's list build (campaign-list-build.ts): decide the audience, or write a chunk.
  if (body?.kind === 'build') {
    const result = await buildListStep(body, buildDeps);
    if (result.outcome === 'invalid') {
      consumeInvalidEvent(record, CAMPAIGN_METRIC.buildInvalid, 'campaign list build', result.issues);
      return;
    }
    metrics.addMetric(CAMPAIGN_METRIC.build(result.outcome), MetricUnit.Count, 1);
    if (result.outcome === 'failed')
      logger.warn('campaign list build failed', { businessId: body.businessId, campaignId: body.campaignId, reason: result.reason });
    else logger.info('campaign list build', { businessId: body.businessId, campaignId: body.campaignId, chunk: body.chunk, ...result });
    return;
  }
  // A tick of one campaign's release loop (a delayed message the loop sent itself).
  const remainingMs = typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : undefined;
  const result = await releaseTick(body, remainingMs ? { ...deps, remainingMs } : deps);
  if (result.outcome === 'invalid') {
    consumeInvalidEvent(record, CAMPAIGN_METRIC.tickInvalid, 'campaign tick', result.issues);
    return;
  }
  metrics.addMetric(CAMPAIGN_METRIC.tick(result.outcome), MetricUnit.Count, 1);
  if (result.outcome === 'released') metrics.addMetric(CAMPAIGN_METRIC.released, MetricUnit.Count, result.released);
  // Ids and figures only: recipients are customers.
  logger.info('campaign tick', { businessId: body?.businessId, campaignId: body?.campaignId, tick: body?.tick, ...result });
}

const consume = eventQueueHandler(handleRecord, { queueUrl: env.QUEUE_URL });

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
