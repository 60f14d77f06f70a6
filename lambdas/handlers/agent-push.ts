import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { ownerOfAccount } from '#lambdas/identity/resolve-target';
import { apiGatewayConnectionPoster } from '#lambdas/push/api-gateway-connection-poster';
import { dynamoConnectionStore, dynamoConversationPeople } from '#lambdas/push/dynamodb-connection-store';
import { type PushChangeDeps, pushChange } from '#lambdas/push/push-change';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { AGENT_PUSH_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { dynamoChangeFeed } from '#lambdas/workspace/change-feed-store';
import { environmentSchema } from '#lambdas/handlers/environment/agent-push';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const accounts = cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) });
const deps: PushChangeDeps = {
  connections: dynamoConnectionStore(db, tableName),
  poster: apiGatewayConnectionPoster(env.AGENT_PUSH_MANAGEMENT_ENDPOINT),
  conversationPeople: dynamoConversationPeople(db, tableName),
  businessOfAccount: async (accountId) => (await ownerOfAccount(accountId, accounts))?.businessId,
  changeFeed: dynamoChangeFeed({ db, tableName }),
};

/** The envelope's detail type and time (the queue carries the whole EventBridge event). */
function envelopeOf(record: SQSRecord): { detailType: string; time: string } {
  try {
    const parsed = JSON.parse(record.body) as { 'detail-type'?: unknown; time?: unknown } | null;
    return {
      detailType: typeof parsed?.['detail-type'] === 'string' ? parsed['detail-type'] : '',
      time: typeof parsed?.time === 'string' ? parsed.time : '',
    };
  } catch {
    return { detailType: '', time: '' };
  }
}

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const { detailType, time } = envelopeOf(record);
  const result = await pushChange({ detailType, detail, time }, deps);
  if (result.outcome === 'ignored') {
    metrics.addMetric(AGENT_PUSH_METRIC.ignored, MetricUnit.Count, 1);
    logger.debug('change not pushed', { sqsMessageId: record.messageId, detailType, reason: result.reason });
    return;
  }
  metrics.addMetric(AGENT_PUSH_METRIC.sent, MetricUnit.Count, result.sent);
  if (result.gone > 0) metrics.addMetric(AGENT_PUSH_METRIC.goneConnections, MetricUnit.Count, result.gone);
  if (result.failed > 0) {
    metrics.addMetric(AGENT_PUSH_METRIC.failed, MetricUnit.Count, result.failed);
    logger.warn('some pushes failed; the change is in the polling feed', { sqsMessageId: record.messageId, detailType, failed: result.failed });
  }
}

/** Bus events people must see → the connected agents and supervisors of the event's business. */
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
