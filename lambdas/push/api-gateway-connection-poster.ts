import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionPoster } from '#lambdas/push/push-change';

/**
 * PostToConnection on the WebSocket API's management endpoint
 * (`https://{api id}.execute-api.{region}.amazonaws.com/{stage}`; the local cloud's in local runs).
 * A 410 GoneException means API Gateway no longer has the connection.
 */
export function apiGatewayConnectionPoster(endpoint: string, client = new ApiGatewayManagementApiClient({ endpoint })): ConnectionPoster {
  return {
    async post(connectionId, data) {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(data) }));
        return 'sent';
      } catch (err) {
        if (err instanceof GoneException || (err as { name?: string; $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 410)
          return 'gone';
        throw err;
      }
    },
  };
}
