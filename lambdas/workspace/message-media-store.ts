import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conversationPk, messageSk } from '#lambdas/conversation/table-keys';

/** A stored attachment of a message: where it is (server side only) and its type. */
export interface StoredAttachment {
  objectKey: string;
  contentType?: string;
}

export interface MessageMediaStore {
  /** The stored attachments of one message of one conversation, in order; none: not a message of it, or nothing stored. */
  storedAttachments(conversationKey: string, messageId: string): Promise<StoredAttachment[] | undefined>;
}

export function dynamoMessageMediaStore(deps: { db: DynamoDBDocumentClient; tableName: string }): MessageMediaStore {
  return {
    async storedAttachments(conversationKey, messageId) {
      // The key names the conversation: a message id of another conversation finds nothing here.
      const out = await deps.db.send(
        new GetCommand({
          TableName: deps.tableName,
          Key: { pk: conversationPk(conversationKey), sk: messageSk(messageId) },
          ProjectionExpression: 'entity, mediaObjects, mediaS3Key, mediaContentType',
        }),
      );
      const item = out.Item;
      if (item?.entity !== 'Message') return undefined;
      if (Array.isArray(item.mediaObjects)) {
        return (item.mediaObjects as Array<Record<string, unknown>>)
          .filter((o) => typeof o?.key === 'string')
          .map((o) => ({ objectKey: String(o.key), ...(typeof o.contentType === 'string' ? { contentType: o.contentType } : {}) }));
      }
      if (typeof item.mediaS3Key === 'string') {
        return [{ objectKey: item.mediaS3Key, ...(typeof item.mediaContentType === 'string' ? { contentType: item.mediaContentType } : {}) }];
      }
      return [];
    },
  };
}
