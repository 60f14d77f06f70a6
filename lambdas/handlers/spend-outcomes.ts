import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { countResolvedConversation } from '#lambdas/pricing/count-resolved-conversation';
import { dynamoSpendStore } from '#lambdas/pricing/spend-store';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { resolvedConversationMetric, SPEND_METRIC } from '#lambdas/shared/metric-names';
import { metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/spend-outcomes';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const accounts = cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) });
const deps = {
  store: dynamoSpendStore({ db, tableName }),
  businessOfAccount: async (accountId: string) => (await accounts.account(accountId))?.businessId,
};

/** The EventBridge envelope's detail type of a queue record (undefined when unreadable). */
function detailTypeOf(record: SQSRecord): string | undefined {
  try {
    const type = (JSON.parse(record.body) as { 'detail-type'?: unknown } | null)?.['detail-type'];
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const result = await countResolvedConversation(detailTypeOf(record) ?? '', detail, deps);
  if (result.outcome === 'invalid') {
    consumeInvalidEvent(record, SPEND_METRIC.outcomeEventInvalid, 'conversation end event', result.issues);
    return;
  }
  metrics.addMetric(resolvedConversationMetric(result.outcome), MetricUnit.Count, 1);
}

/**
 * Spend-outcomes queue (EventBridge `conversation.closed` and `conversation.ended`) → the
 * resolved conversations of each business's month, the denominator of the spend per resolved
 * conversation the spend API shows (lambdas/pricing/count-resolved-conversation.ts).
 */
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
