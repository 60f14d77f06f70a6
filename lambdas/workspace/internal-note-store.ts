import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conversationPk, expiresAt } from '#lambdas/conversation/table-keys';
import { internalNoteSk } from '#lambdas/routing/routing-keys';

/** A person's note on a conversation, for colleagues only: never sent to the customer. */
export interface InternalNote {
  noteId: string;
  conversationKey: string;
  authorId: string;
  text: string;
  createdAt: string;
}

export interface InternalNoteStore {
  add(note: InternalNote): Promise<void>;
  /** The latest notes, oldest first. */
  list(conversationKey: string, limit: number): Promise<InternalNote[]>;
}

export function dynamoInternalNoteStore(deps: { db: DynamoDBDocumentClient; tableName: string; retentionDays: number }): InternalNoteStore {
  return {
    async add(note) {
      await deps.db.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: {
            pk: conversationPk(note.conversationKey),
            sk: internalNoteSk(note.createdAt, note.noteId),
            entity: 'InternalNote',
            ...note,
            expiresAt: expiresAt(note.createdAt, deps.retentionDays),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async list(conversationKey, limit) {
      const out = await deps.db.send(
        new QueryCommand({
          TableName: deps.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': conversationPk(conversationKey), ':prefix': 'INOTE#' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).reverse().map((i) => ({
        noteId: String(i.noteId),
        conversationKey: String(i.conversationKey),
        authorId: String(i.authorId),
        text: String(i.text),
        createdAt: String(i.createdAt),
      }));
    },
  };
}
