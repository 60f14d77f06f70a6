import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { readJsonSecret } from '#lambdas/adapters/secrets';
import { authorizeRequest } from '#lambdas/human-agent/authorize-request';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { HUMAN_AGENT_TOKEN_SECRET_ENV } from '#lambdas/human-agent/human-agent-contract';
import { createOnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { accountAccessTokens } from '#lambdas/outbound/access-tokens';
import { ENV } from '#lambdas/shared/event-contract';
import { optionalEnv, requireEnv } from '#lambdas/shared/env';
import { logger, metrics } from '#lambdas/shared/powertools';
import { routeTemplatesRequest, type TemplatesApiDeps } from '#lambdas/templates/route-templates-request';
import { RETENTION_DAYS_ENV } from '#lambdas/templates/templates-api-contract';
import { wabaAccessTokens } from '#lambdas/templates/waba-access-token';

const db = documentClient();
const tableName = requireEnv(ENV.tableName);
const accounts = cachedAccountReader({ db, tableName });
const deps: TemplatesApiDeps = {
  db,
  tableName,
  publisher: eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
  retentionDays: Number(optionalEnv(RETENTION_DAYS_ENV, '400')),
  // A WABA's templates are read with its own business's token, as its numbers send with it.
  accessTokenFor: wabaAccessTokens({ accounts, accountTokenFor: accountAccessTokens({ sharedSecretId: requireEnv(ENV.metaAccessTokensSecretId), accounts }) }),
  // The onboarding Graph client serves any Graph read with a query.
  graphGet: createOnboardingGraph({ baseUrl: requireEnv(ENV.graphApiBaseUrl), version: requireEnv(ENV.graphApiVersion) }).get,
};
const tokenSecretId = requireEnv(HUMAN_AGENT_TOKEN_SECRET_ENV);
const expectedToken = async () => (await readJsonSecret<{ token?: string }>(tokenSecretId)).token ?? '';

/** The templates API: send an approved template to a customer, sync or list a WABA's templates. */
async function templatesApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    await authorizeRequest(event, expectedToken);
  } catch (err) {
    if (!(err instanceof HumanAgentRequestError)) throw err;
    metrics.addMetric('TemplatesApiUnauthorized', MetricUnit.Count, 1);
    return { statusCode: err.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: err.code }) };
  }
  const response = await routeTemplatesRequest(event, deps);
  metrics.addMetric(`TemplatesApi_${event.requestContext.http.method}_${response.statusCode}`, MetricUnit.Count, 1);
  // The route and status only: bodies name customers.
  logger.info('templates request', { requestId: event.requestContext.requestId, route: event.routeKey, status: response.statusCode });
  return response;
}

export const handler = middy(templatesApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
