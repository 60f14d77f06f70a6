import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { serveOperatorRequest } from '#lambdas/identity/operator-request';
import { createOnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { accountAccessTokens } from '#lambdas/outbound/access-tokens';
import { createSendContextStore } from '#lambdas/outbound/send-context-store';
import { OPERATOR_API } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { routeTemplatesRequest, type TemplatesApiDeps } from '#lambdas/templates/route-templates-request';
import { createTemplateStore } from '#lambdas/templates/template-store';
import { wabaAccessTokens } from '#lambdas/templates/waba-access-token';
import { environmentSchema } from '#lambdas/handlers/environment/templates-api';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { createAuditTrailStore } from '#lambdas/identity/audit-trail-store';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const accounts = cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) });
const publisher = eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME);
const retentionDays = env.RETENTION_DAYS;
const deps: TemplatesApiDeps = {
  templates: createTemplateStore(db, tableName),
  registry: dynamoAccountRegistry(db, tableName),
  sendContext: createSendContextStore(db, tableName),
  publisher,
  retentionDays,
  // A WABA's templates are read with its own business's token, as its numbers send with it.
  accessTokenFor: wabaAccessTokens({ accounts, accountTokenFor: accountAccessTokens({ sharedSecretId: env.META_ACCESS_TOKENS_SECRET_ID, accounts }) }),
  // The onboarding Graph client serves any Graph read with a query.
  graphGet: createOnboardingGraph({ baseUrl: env.GRAPH_API_BASE_URL, version: env.GRAPH_API_VERSION }).get,
  accounts,
};

// Every request leaves one record in its business's audit trail (identity/audit-trail.ts).
const auditDeps = { auditTrail: createAuditTrailStore(db, tableName), publisher, retentionDays };

/** The templates API: send an approved template to a customer, sync or list a WABA's templates. */
async function templatesApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(event, OPERATOR_API.templates, (e, identity, audit) => routeTemplatesRequest(e, identity, audit, deps), auditDeps);
}

export const handler = middy(templatesApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
