import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { readJsonSecret } from '#lambdas/adapters/secrets';
import { authorizeRequest } from '#lambdas/human-agent/authorize-request';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { HUMAN_AGENT_TOKEN_SECRET_ENV } from '#lambdas/human-agent/human-agent-contract';
import type { HumanAgentDeps } from '#lambdas/human-agent/human-agent-actions';
import { routeRequest } from '#lambdas/human-agent/route-request';
import { ENV } from '#lambdas/shared/event-contract';
import { optionalEnv, requireEnv } from '#lambdas/shared/env';
import { logger, metrics } from '#lambdas/shared/powertools';

const deps: HumanAgentDeps = {
  db: documentClient(),
  tableName: requireEnv(ENV.tableName),
  publisher: eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
  retentionDays: Number(optionalEnv('RETENTION_DAYS', '400')),
};
const tokenSecretId = requireEnv(HUMAN_AGENT_TOKEN_SECRET_ENV);
const expectedToken = async () => (await readJsonSecret<{ token?: string }>(tokenSecretId)).token ?? '';

/** The human agents' API: list waiting conversations, read one, reply, hand back to the bot, close. */
async function humanAgentApi(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  let agentId: string;
  try {
    agentId = await authorizeRequest(event, expectedToken);
  } catch (err) {
    if (!(err instanceof HumanAgentRequestError)) throw err;
    metrics.addMetric('HumanAgentUnauthorized', MetricUnit.Count, 1);
    return { statusCode: err.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: err.code }) };
  }
  const response = await routeRequest(event, agentId, deps);
  metrics.addMetric(`HumanAgent_${event.requestContext.http.method}_${response.statusCode}`, MetricUnit.Count, 1);
  // The route template, not the path: a path carries the conversation key, and with it the customer's number.
  logger.info('human agent request', { requestId: event.requestContext.requestId, route: event.routeKey, status: response.statusCode });
  return response;
}

export const handler = middy(humanAgentApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
