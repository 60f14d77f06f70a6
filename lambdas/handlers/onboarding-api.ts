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
import { DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL, DEFAULT_INSTAGRAM_OAUTH_BASE_URL, INSTAGRAM_LOGIN_ENV } from '#lambdas/instagram-login/instagram-login-env';
import { ONBOARDING_ENV } from '#lambdas/onboarding/onboarding-contract';
import { createOnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { type OnboardingApiDeps, routeOnboardingRequest } from '#lambdas/onboarding/route-onboarding-request';
import { ENV } from '#lambdas/shared/event-contract';
import { optionalEnv, requireEnv } from '#lambdas/shared/env';
import { logger, metrics } from '#lambdas/shared/powertools';

const appSecretId = requireEnv(ENV.metaAppSecretId);
const db = documentClient();
const tableName = requireEnv(ENV.tableName);
const deps: OnboardingApiDeps = {
  db,
  tableName,
  // Progress and ownership checks read the registry fresh: onboarding changes it.
  accounts: cachedAccountReader({ db, tableName, hitTtlMs: 0, missTtlMs: 0 }),
  graph: createOnboardingGraph({ baseUrl: requireEnv(ENV.graphApiBaseUrl), version: requireEnv(ENV.graphApiVersion) }),
  tokens: secretsManagerTokenStore(new SecretsManagerClient({})),
  // Short cache: an operator who just added the appId should not wait five minutes.
  app: metaAppFrom(() => readJsonSecret<{ appId?: unknown; appSecret?: unknown }>(appSecretId, 30)),
  secretNamePrefix: requireEnv(ONBOARDING_ENV.secretNamePrefix),
  now: () => new Date(),
  newPin: () => String(randomInt(0, 1_000_000)).padStart(6, '0'),
  // Business Login for Instagram: its own hosts, and the Instagram app's id and secret.
  instagramLogin: createInstagramLoginApi({
    graphBaseUrl: optionalEnv(INSTAGRAM_LOGIN_ENV.graphBaseUrl, DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL),
    oauthBaseUrl: optionalEnv(INSTAGRAM_LOGIN_ENV.oauthBaseUrl, DEFAULT_INSTAGRAM_OAUTH_BASE_URL),
    version: requireEnv(ENV.graphApiVersion),
  }),
  instagramApp: instagramAppFrom(() => readJsonSecret<{ instagramAppId?: unknown; instagramAppSecret?: unknown }>(appSecretId, 30)),
};
const audit = {
  db,
  tableName,
  publisher: eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
  retentionDays: Number(optionalEnv('RETENTION_DAYS', '400')),
};

/** Onboarding of business accounts after Embedded Signup / Facebook Login for Business. */
async function onboardingApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveOperatorRequest(event, 'Onboarding', (e, identity, ctx) => routeOnboardingRequest(e, identity, ctx, deps), audit);
}

export const handler = middy(onboardingApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
