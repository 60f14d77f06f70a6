import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { CONVERSATION_SK, conversationPk, messageSk } from '#lambdas/conversation/table-keys';

type TableItem = Record<string, unknown>;

/** The Conversation and Message items the dispatcher's snapshots are made of (snapshots.ts). */
export interface SnapshotSource {
  /** The Conversation item as it is now (strongly consistent); undefined when it is not one. */
  conversation(conversationKey: string): Promise<TableItem | undefined>;
  /** The Message item as it is now (strongly consistent); undefined when it is not one. */
  message(conversationKey: string, messageId: string): Promise<TableItem | undefined>;
}

export function dynamoSnapshotSource(db: Pick<DocumentClient, 'send'>, tableName: string): SnapshotSource {
  return {
    async conversation(conversationKey) {
      const out = await db.send(
        new GetCommand({ TableName: tableName, Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK }, ConsistentRead: true }),
      );
      return out.Item?.entity === 'Conversation' ? out.Item : undefined;
    },
    async message(conversationKey, messageId) {
      const out = await db.send(
        new GetCommand({ TableName: tableName, Key: { pk: conversationPk(conversationKey), sk: messageSk(messageId) }, ConsistentRead: true }),
      );
      return out.Item?.entity === 'Message' ? out.Item : undefined;
    },
  };
}
