import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorizeConnection } from '#lambdas/push/authorize-connection';
import { cognitoAccessTokenVerifier } from '#lambdas/push/cognito-token-verifier';
import { logger } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/websocket-authorizer';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const jwksUrl = env.OPERATOR_JWKS_URL;
const verifier = cognitoAccessTokenVerifier({
  userPoolId: env.OPERATOR_USER_POOL_ID,
  clientIds: env.OPERATOR_CLIENT_IDS,
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
