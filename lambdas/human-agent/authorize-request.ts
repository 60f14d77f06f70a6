import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';

interface IamContext {
  authorizer?: { iam?: { userArn?: string; userId?: string } };
}

/**
 * Who is calling. In AWS the routes use IAM authorisation, so API Gateway has already checked the
 * caller and names it; the local cloud has no IAM, so a request without an IAM identity must
 * present the bearer token from the secret instead.
 */
export async function authorizeRequest(event: APIGatewayProxyEventV2, expectedToken: () => Promise<string>): Promise<string> {
  const iam = (event.requestContext as IamContext).authorizer?.iam;
  if (iam?.userArn) return iam.userArn;
  const header = event.headers?.authorization ?? event.headers?.Authorization ?? '';
  const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
  const expected = await expectedToken();
  if (!expected || !presented || !sameSecret(presented, expected)) {
    throw new HumanAgentRequestError(401, 'unauthorized', 'A valid bearer token is required');
  }
  return 'local-agent';
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
