import { randomInt } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { readJsonSecret } from '#lambdas/adapters/secrets';
import { serveOperatorRequest } from '#lambdas/identity/operator-request';
import { secretsManagerTokenStore } from '#lambdas/onboarding/account-token-store';
import { instagramAppFrom, metaAppFrom } from '#lambdas/onboarding/meta-app-credentials';
import { createInstagramLoginApi } from '#lambdas/instagram-login/instagram-login-api';
import { createOnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { type OnboardingApiDeps, routeOnboardingRequest } from '#lambdas/onboarding/route-onboarding-request';
import { OPERATOR_API } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/onboarding-api';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { createAuditTrailStore } from '#lambdas/identity/audit-trail-store';
import { dynamoOnboardingStores } from '#lambdas/onboarding/onboarding-stores';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const appSecretId = env.META_APP_SECRET_ID;
const db = documentClient();
const tableName = env.TABLE_NAME;
const deps: OnboardingApiDeps = {
  ...dynamoOnboardingStores(db, tableName),
  botSettings: { db, tableName },
  // Progress and ownership checks read the registry fresh: onboarding changes it.
  accounts: cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName), hitTtlMs: 0, missTtlMs: 0 }),
  graph: createOnboardingGraph({ baseUrl: env.GRAPH_API_BASE_URL, version: env.GRAPH_API_VERSION }),
  tokens: secretsManagerTokenStore(new SecretsManagerClient({})),
  // Short cache: an operator who just added the appId should not wait five minutes.
  app: metaAppFrom(() => readJsonSecret<{ appId?: unknown; appSecret?: unknown }>(appSecretId, 30)),
  secretNamePrefix: env.ACCOUNT_TOKEN_SECRET_PREFIX,
  now: () => new Date(),
  newPin: () => String(randomInt(0, 1_000_000)).padStart(6, '0'),
  // Business Login for Instagram: its own hosts, and the Instagram app's id and secret.
  instagramLogin: createInstagramLoginApi({
    graphBaseUrl: env.INSTAGRAM_GRAPH_API_BASE_URL,
    oauthBaseUrl: env.INSTAGRAM_OAUTH_BASE_URL,
    version: env.GRAPH_API_VERSION,
  }),
  instagramApp: instagramAppFrom(() => readJsonSecret<{ instagramAppId?: unknown; instagramAppSecret?: unknown }>(appSecretId, 30)),
};
const audit = {
  auditTrail: createAuditTrailStore(db, tableName),
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  retentionDays: env.RETENTION_DAYS,
};

/** Onboarding of business accounts after Embedded Signup / Facebook Login for Business. */
async function onboardingApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(event, OPERATOR_API.onboarding, (e, identity, ctx) => routeOnboardingRequest(e, identity, ctx, deps), audit);
}

export const handler = middy(onboardingApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
