import { randomInt } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { readJsonSecret } from '#lambdas/adapters/secrets';
import { authorizeRequest } from '#lambdas/human-agent/authorize-request';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { HUMAN_AGENT_TOKEN_SECRET_ENV } from '#lambdas/human-agent/human-agent-contract';
import { secretsManagerTokenStore } from '#lambdas/onboarding/account-token-store';
import { metaAppFrom } from '#lambdas/onboarding/meta-app-credentials';
import { ONBOARDING_ENV } from '#lambdas/onboarding/onboarding-contract';
import type { OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { createOnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { routeOnboardingRequest } from '#lambdas/onboarding/route-onboarding-request';
import { ENV } from '#lambdas/shared/event-contract';
import { requireEnv } from '#lambdas/shared/env';
import { logger, metrics } from '#lambdas/shared/powertools';

const appSecretId = requireEnv(ENV.metaAppSecretId);
const deps: OnboardingDeps = {
  db: documentClient(),
  tableName: requireEnv(ENV.tableName),
  graph: createOnboardingGraph({ baseUrl: requireEnv(ENV.graphApiBaseUrl), version: requireEnv(ENV.graphApiVersion) }),
  tokens: secretsManagerTokenStore(new SecretsManagerClient({})),
  // Short cache: an operator who just added the appId should not wait five minutes.
  app: metaAppFrom(() => readJsonSecret<{ appId?: unknown; appSecret?: unknown }>(appSecretId, 30)),
  secretNamePrefix: requireEnv(ONBOARDING_ENV.secretNamePrefix),
  now: () => new Date(),
  newPin: () => String(randomInt(0, 1_000_000)).padStart(6, '0'),
};
const tokenSecretId = requireEnv(HUMAN_AGENT_TOKEN_SECRET_ENV);
const expectedToken = async () => (await readJsonSecret<{ token?: string }>(tokenSecretId)).token ?? '';

/** Onboarding of business accounts after Embedded Signup / Facebook Login for Business. */
async function onboardingApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    await authorizeRequest(event, expectedToken);
  } catch (err) {
    if (!(err instanceof HumanAgentRequestError)) throw err;
    metrics.addMetric('OnboardingUnauthorized', MetricUnit.Count, 1);
    return { statusCode: err.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: err.code }) };
  }
  const response = await routeOnboardingRequest(event, deps);
  metrics.addMetric(`Onboarding_${event.requestContext.http.method}_${response.statusCode}`, MetricUnit.Count, 1);
  // Route and status only: bodies carry codes and ids, reports carry no token.
  logger.info('onboarding request', { requestId: event.requestContext.requestId, route: event.routeKey, status: response.statusCode });
  return response;
}

export const handler = middy(onboardingApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
