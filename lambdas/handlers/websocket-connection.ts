import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { answerFrame, type AuthorizerContext, closeConnection, openConnection } from '#lambdas/push/connection-lifecycle';
import { dynamoConnectionStore } from '#lambdas/push/dynamodb-connection-store';
import { logger } from '#lambdas/shared/powertools';
import { environmentSchema } from '#lambdas/handlers/environment/websocket-connection';
import { readEnvironment } from '#lambdas/shared/handler-environment';

const env = readEnvironment(environmentSchema);

const registry = dynamoConnectionStore(documentClient(), env.TABLE_NAME);

type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & { requestContext: { authorizer?: Record<string, unknown> } };

/**
 * The WebSocket API's routes: `$connect` keeps the connection under the business the authoriser
 * read from the token, `$disconnect` deletes it, `$default` answers a ping.
 */
/** Without a body nothing goes back to the client (the `$default` route has a route response). */
type RouteAnswer = { statusCode: number; body?: string };

export async function handler(event: WebSocketEvent): Promise<RouteAnswer> {
  const { routeKey, connectionId } = event.requestContext;
  const context: AuthorizerContext = event.requestContext.authorizer;
  switch (routeKey) {
    case '$connect': {
      const outcome = await openConnection(connectionId, context, registry, new Date());
      if (!outcome.accepted) {
        logger.warn('connection not kept', { reason: outcome.reason });
        return { statusCode: 403, body: 'Forbidden' };
      }
      return { statusCode: 200 };
    }
    case '$disconnect':
      await closeConnection(connectionId, context, registry);
      return { statusCode: 200 };
    default: {
      const answer = answerFrame(event.body, new Date());
      return answer ? { statusCode: 200, body: answer } : { statusCode: 200 };
    }
  }
}
