import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';

/** Tags a conversation may carry at most. */
export const MAX_CONVERSATION_TAGS = 50;

export interface ConversationTagStore {
  /** Adds then removes: the tags after, `not_found` without the conversation, `too_many` past the cap. */
  change(conversationKey: string, add: readonly string[], remove: readonly string[]): Promise<string[] | 'not_found' | 'too_many'>;
}

/** The `tags` string set on the Conversation item (the routing model's attribute). */
export function dynamoConversationTagStore(deps: { db: DynamoDBDocumentClient; tableName: string }): ConversationTagStore {
  return {
    async change(conversationKey, add, remove) {
      const Key = { pk: conversationPk(conversationKey), sk: CONVERSATION_SK };
      let tags: unknown;
      if (add.length > 0) {
        try {
          const out = await deps.db.send(
            new UpdateCommand({
              TableName: deps.tableName,
              Key,
              UpdateExpression: 'ADD tags :add',
              ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(tags) OR size(tags) <= :room)',
              ExpressionAttributeValues: { ':add': new Set(add), ':room': MAX_CONVERSATION_TAGS - add.length },
              ReturnValues: 'ALL_NEW',
            }),
          );
          tags = out.Attributes?.tags;
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
          const found = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key, ProjectionExpression: 'pk', ConsistentRead: true }));
          return found.Item ? 'too_many' : 'not_found';
        }
      }
      // One attribute cannot be added to and deleted from in one expression: a second conditional write.
      if (remove.length > 0) {
        try {
          const out = await deps.db.send(
            new UpdateCommand({
              TableName: deps.tableName,
              Key,
              UpdateExpression: 'DELETE tags :remove',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':remove': new Set(remove) },
              ReturnValues: 'ALL_NEW',
            }),
          );
          tags = out.Attributes?.tags;
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
          return 'not_found';
        }
      }
      return tagList(tags);
    },
  };
}

export function tagList(value: unknown): string[] {
  if (value instanceof Set) return [...(value as Set<string>)].sort();
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').sort();
  return [];
}
