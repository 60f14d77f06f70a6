import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { serveOperatorRequest } from '#lambdas/identity/operator-request';
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
  accounts,
};

/** The templates API: send an approved template to a customer, sync or list a WABA's templates. */
async function templatesApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(event, 'TemplatesApi', (e, identity, audit) => routeTemplatesRequest(e, identity, audit, deps), deps);
}

export const handler = middy(templatesApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
