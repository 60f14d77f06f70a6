import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { CONVERSATION_SK, conversationPk, conversationsByStatePk } from '#lambdas/conversation/table-keys';

/**
 * What the operator's views read of the table: a Conversation item, a page of an account's
 * conversations in a state (the `gsi1` state index), a conversation's latest messages and its
 * latest customer message (the `byTime` index).
 *
 *   pk                 sk / index key                         entity
 *   CONV#<key>         CONV                                   Conversation
 *   CONV#<key>         MSG#<id>  (lsi1sk MSG#<at>#<id>)       Message
 *   gsi1pk: the account's conversations in a state, gsi1sk: <state changed at>#<key>
 */
export interface ConversationViewsStore {
  /** The Conversation item, read strongly consistent. */
  conversation(conversationKey: string): Promise<Record<string, unknown> | undefined>;
  /** One page of the account's conversations in a state, oldest transition first. `startKey`: the page's start (index key attributes). */
  conversationsInState(
    accountId: string,
    state: string,
    limit: number,
    startKey: Record<string, string> | undefined,
  ): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }>;
  /** The conversation's latest messages, newest first. */
  latestMessages(conversationKey: string, limit: number): Promise<Record<string, unknown>[]>;
  /** The time-index key of the conversation's latest customer (inbound) message, if any. */
  latestCustomerMessageSk(conversationKey: string): Promise<string | undefined>;
}

export function conversationViewsStore(db: DocumentClient, tableName: string): ConversationViewsStore {
  return {
    async conversation(conversationKey) {
      const out = await db.send(
        new GetCommand({ TableName: tableName, Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK }, ConsistentRead: true }),
      );
      return out.Item;
    },
    async conversationsInState(accountId, state, limit, startKey) {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': conversationsByStatePk(accountId, state) },
          ScanIndexForward: true,
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      return { items: out.Items ?? [], ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
    },
    async latestMessages(conversationKey, limit) {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'byTime',
          KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': conversationPk(conversationKey), ':from': 'MSG#', ':to': 'MSG$' },
          ScanIndexForward: false,
          // The index holds keys only; the items come from the table.
          Select: 'ALL_ATTRIBUTES',
          Limit: limit,
        }),
      );
      return out.Items ?? [];
    },
    async latestCustomerMessageSk(conversationKey) {
      let startKey: Record<string, unknown> | undefined;
      for (let page = 0; page < 20; page++) {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'byTime',
            KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
            FilterExpression: '#direction = :inbound',
            ExpressionAttributeNames: { '#direction': 'direction' },
            ExpressionAttributeValues: { ':pk': conversationPk(conversationKey), ':from': 'MSG#', ':to': 'MSG$', ':inbound': 'inbound' },
            ScanIndexForward: false,
            Limit: 25,
            ProjectionExpression: 'lsi1sk',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        const found = out.Items?.[0]?.lsi1sk as string | undefined;
        if (found || !out.LastEvaluatedKey) return found;
        startKey = out.LastEvaluatedKey;
      }
      return undefined;
    },
  };
}
