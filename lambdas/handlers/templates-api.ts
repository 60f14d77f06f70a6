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
import { OPERATOR_API } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { routeTemplatesRequest, type TemplatesApiDeps } from '#lambdas/templates/route-templates-request';
import { wabaAccessTokens } from '#lambdas/templates/waba-access-token';
import { environmentSchema } from '#lambdas/handlers/environment/templates-api';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const accounts = cachedAccountReader({ db, tableName });
const deps: TemplatesApiDeps = {
  db,
  tableName,
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  retentionDays: env.RETENTION_DAYS,
  // A WABA's templates are read with its own business's token, as its numbers send with it.
  accessTokenFor: wabaAccessTokens({ accounts, accountTokenFor: accountAccessTokens({ sharedSecretId: env.META_ACCESS_TOKENS_SECRET_ID, accounts }) }),
  // The onboarding Graph client serves any Graph read with a query.
  graphGet: createOnboardingGraph({ baseUrl: env.GRAPH_API_BASE_URL, version: env.GRAPH_API_VERSION }).get,
  accounts,
};

/** The templates API: send an approved template to a customer, sync or list a WABA's templates. */
async function templatesApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(event, OPERATOR_API.templates, (e, identity, audit) => routeTemplatesRequest(e, identity, audit, deps), deps);
}

export const handler = middy(templatesApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
