import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorizeConnection } from '#lambdas/push/authorize-connection';
import { cognitoAccessTokenVerifier, PUSH_AUTHORIZER_ENV } from '#lambdas/push/cognito-token-verifier';
import { optionalEnv, requireEnv } from '#lambdas/shared/env';
import { logger } from '#lambdas/shared/powertools';

const jwksUrl = optionalEnv(PUSH_AUTHORIZER_ENV.jwksUrl, '');
const verifier = cognitoAccessTokenVerifier({
  userPoolId: requireEnv(PUSH_AUTHORIZER_ENV.userPoolId),
  clientIds: requireEnv(PUSH_AUTHORIZER_ENV.clientIds).split(',').map((c) => c.trim()).filter(Boolean),
  ...(jwksUrl ? { jwksUrl } : {}),
});

/**
 * The WebSocket API's `$connect` authoriser (REQUEST, token in `?token=`): throwing `Unauthorized`
 * makes API Gateway answer 401; a Deny policy, 403. The context reaches `$connect` and every later
 * route of the connection as `requestContext.authorizer`.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const verdict = await authorizeConnection(event.queryStringParameters?.token ?? undefined, verifier);
  if (verdict.effect === 'Unauthorized') {
    logger.info('push connection refused', { reason: verdict.reason });
    throw new Error('Unauthorized');
  }
  const policy = (effect: 'Allow' | 'Deny') => ({
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: event.methodArn }],
  });
  if (verdict.effect === 'Deny') {
    logger.info('push connection forbidden', { reason: verdict.reason });
    return { principalId: verdict.principalId, policyDocument: policy('Deny') };
  }
  return { principalId: verdict.principalId, policyDocument: policy('Allow'), context: { ...verdict.context } };
}
