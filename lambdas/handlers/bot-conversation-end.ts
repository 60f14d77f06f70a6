import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { cachedBotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import { dynamoBotEndStore, dynamoEndWatch } from '#lambdas/conversation-end/bot-end-store';
import { endQuietBotConversations, type EndSweepSummary } from '#lambdas/conversation-end/end-quiet-conversations';
import { CONVERSATION_END_METRIC, conversationEndedMetric } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/bot-conversation-end';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';
import { EndSweepIncompleteError } from '#lambdas/conversation-end/errors';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const publisher = eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME);
const botSettings = cachedBotSettingsSource({
  accounts: cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) }),
  db,
  tableName,
  onInvalid: (businessId, version, problems) =>
    logger.error('stored bot settings fail validation; their conversations are not ended', { businessId, version, paths: problems.map((p) => p.path) }),
});

function report(summary: EndSweepSummary): void {
  for (const [outcome, count] of Object.entries(summary.ended)) metrics.addMetric(conversationEndedMetric(outcome), MetricUnit.Count, count ?? 0);
  metrics.addMetric(CONVERSATION_END_METRIC.sweepLooked, MetricUnit.Count, summary.looked);
  // Counts and the cursor only: conversation keys name customers.
  logger.info('end-of-conversation sweep', { ...summary });
}

/**
 * EventBridge Scheduler, every quarter of an hour (lib/constructs/bot-conversation-end.ts; locally
 * lib/local-cloud/scheduled-invocations.ts) → ends the conversations the bot alone held and the
 * customer left quiet (lambdas/conversation-end/). The schedule's payload says nothing the sweep
 * needs: it reads its cursor from the table. A run that could not look at every conversation of a
 * bucket fails, so the next run reads that bucket again.
 */
async function sweep(_event: unknown, context: Context): Promise<EndSweepSummary> {
  try {
    const summary = await endQuietBotConversations({
      store: dynamoBotEndStore({ db, tableName }),
      watch: dynamoEndWatch({ db, tableName }),
      publisher,
      botSettings,
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    report(summary);
    return summary;
  } catch (err) {
    if (err instanceof EndSweepIncompleteError) {
      report(err.summary);
      metrics.addMetric(CONVERSATION_END_METRIC.sweepFailed, MetricUnit.Count, err.summary.failed);
      logger.error('end-of-conversation sweep incomplete; the bucket is read again next run', {
        failed: err.summary.failed,
        sweptThrough: err.summary.sweptThrough,
        error: (err.cause as Error | undefined)?.name,
        errorMessage: String((err.cause as Error | undefined)?.message ?? '').slice(0, 200),
      });
    }
    throw err;
  }
}

export const handler = middy(sweep).use(injectLambdaContext(logger)).use(logMetrics(metrics));
