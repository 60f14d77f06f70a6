import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSRecord } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { dynamoCampaignMessageReader } from '#lambdas/campaigns/campaign-counts-store';
import { countCampaignSend } from '#lambdas/campaigns/campaign-send';
import { campaignStoreAndCounts } from '#lambdas/campaigns/campaign-wiring';
import { outboundSendDeps, sendOutboundRecord } from '#lambdas/outbound/outbound-send-record';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { CAMPAIGN_METRIC } from '#lambdas/shared/metric-names';
import { metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/campaign-send';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

// The conversational sender's own wiring: the same use case, Graph client, tokens and pacer.
const db = documentClient();
const tableName = env.TABLE_NAME;
const deps = outboundSendDeps(env, db);
const { store, counter } = campaignStoreAndCounts({ db, tableName });
// Each send is counted on its campaign from the Message item, read again (campaigns/campaign-send.ts).
const countDeps = { messages: dynamoCampaignMessageReader(db, tableName), counter, recipients: store };

async function handleDetail(detail: unknown, record: SQSRecord, context?: Context): Promise<void> {
  const outcome = await sendOutboundRecord(detail, record, deps, context);
  const counted = await countCampaignSend(detail, outcome, countDeps);
  for (const count of counted) metrics.addMetric(CAMPAIGN_METRIC.counted(count), MetricUnit.Count, 1);
}

/**
 * The campaign sender: its own standard queue (campaign traffic never waits in front of
 * conversational replies), the outbound sender's exactly-once send for each record, then the
 * message's count on its campaign (sent, or failed with the reason).
 */
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
