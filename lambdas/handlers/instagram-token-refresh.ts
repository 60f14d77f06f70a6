import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { createInstagramLoginApi } from '#lambdas/instagram-login/instagram-login-api';
import { INSTAGRAM_TOKEN_METRIC } from '#lambdas/shared/metric-names';
import { dynamoInstagramTokenStore } from '#lambdas/instagram-login/instagram-token-store';
import { refreshInstagramTokens, type RefreshSummary } from '#lambdas/instagram-login/refresh-instagram-tokens';
import { secretsManagerTokenVersions } from '#lambdas/onboarding/account-token-store';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/instagram-token-refresh';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const store = dynamoInstagramTokenStore(db, tableName);
const secrets = secretsManagerTokenVersions(new SecretsManagerClient({}));
const api = createInstagramLoginApi({
  graphBaseUrl: env.INSTAGRAM_GRAPH_API_BASE_URL,
  oauthBaseUrl: env.INSTAGRAM_OAUTH_BASE_URL,
  version: env.GRAPH_API_VERSION,
});

function report(summary: RefreshSummary): void {
  metrics.addMetric(INSTAGRAM_TOKEN_METRIC.refreshed, MetricUnit.Count, summary.outcomes.refreshed ?? 0);
  metrics.addMetric(INSTAGRAM_TOKEN_METRIC.retryLater, MetricUnit.Count, summary.outcomes.refresh_failed ?? 0);
  metrics.addMetric(INSTAGRAM_TOKEN_METRIC.needsReauthorisation, MetricUnit.Count, summary.needReauthorisation.length);
  // Counts and account ids only (a business's Instagram account id names no customer); never a token.
  logger.info('instagram token refresh', { looked: summary.looked, outcomes: summary.outcomes, deferred: summary.deferred });
  if (summary.needReauthorisation.length > 0) {
    logger.error('instagram accounts need a new login: their token could not be renewed', { accountIds: summary.needReauthorisation });
  }
}

/**
 * EventBridge Scheduler, daily (lib/constructs/instagram-token-refresh.ts; locally
 * lib/local-cloud/scheduled-invocations.ts) → renews the Instagram Login tokens that end within
 * ten days (lambdas/instagram-login/refresh-instagram-tokens.ts). The payload says nothing the
 * run needs: the table says which tokens are due.
 */
async function refresh(_event: unknown, context: Context): Promise<RefreshSummary> {
  const summary = await refreshInstagramTokens({ store, secrets, api, remainingMs: () => context.getRemainingTimeInMillis() });
  report(summary);
  return summary;
}

export const handler = middy(refresh).use(injectLambdaContext(logger)).use(logMetrics(metrics));
