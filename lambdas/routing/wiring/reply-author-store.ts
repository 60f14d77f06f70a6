import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import type { ReplyAuthor } from '#lambdas/routing/wiring/handle-routing-message';

/** Who wrote an outbound message: its Message item's `agentId`, kind and creation time (nothing else is read). */
export function replyAuthorStore(deps: { db: DynamoDBDocumentClient; tableName: string }) {
  return async (conversationKey: string, outboundId: string): Promise<ReplyAuthor | undefined> => {
    const out = await deps.db.send(
      new GetCommand({
        TableName: deps.tableName,
        Key: { pk: conversationPk(conversationKey), sk: messageSk(outboundId) },
        ProjectionExpression: 'agentId, replyKind, createdAt',
      }),
    );
    const item = out.Item;
    if (!item) return undefined;
    return {
      ...(typeof item['agentId'] === 'string' ? { agentId: item['agentId'] } : {}),
      ...(typeof item['replyKind'] === 'string' ? { replyKind: item['replyKind'] } : {}),
      ...(typeof item['createdAt'] === 'string' ? { createdAt: item['createdAt'] } : {}),
    };
  };
}
