import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '#lambdas/adapters/dynamodb';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';

/** The conversation's reply metrics as they stand (the Conversation item's attributes). */
export interface ReplyMetrics {
  lastAgentReplyAt?: string;
  firstResponseAt?: string;
}

/** What one reply changes: the last reply moves forward, and/or it becomes the first response. */
export interface ReplyMetricsChange {
  /** When Meta accepted the reply, and its id. */
  at: string;
  messageId: string;
  moveLast: boolean;
  first?: { inboundAt: string; ms: number };
}

/**
 * The conversation's response metrics on its Conversation item (`pk CONV#<key>`, `sk CONV`):
 * `lastAgentReplyAt`/`lastAgentReplyMessageId` and `firstResponseAt`/`firstResponseMs`/
 * `firstResponseMessageId`/`firstInboundAt`, and the customer messages they are measured from
 * (the conversation's time index).
 */
export interface ReplyMetricsStore {
  /** The metrics; undefined when the conversation is not there. `consistent` reads the latest write. */
  readReplyMetrics(conversationKey: string, consistent: boolean): Promise<ReplyMetrics | undefined>;
  /**
   * The conversation's oldest customer message at or before `at`, in time order through the byTime
   * index. Imported history and the business's own messages are left out.
   */
  firstCustomerMessageBefore(conversationKey: string, at: string): Promise<{ occurredAt: string } | undefined>;
  /**
   * Writes the change, on condition that the conversation exists and that each value it moves
   * still moves that way (the last reply only forward, the first response only earlier). False
   * when a concurrent change made it refuse.
   */
  recordReplyMetrics(conversationKey: string, change: ReplyMetricsChange): Promise<boolean>;
}

export function createReplyMetricsStore(db: DynamoDBDocumentClient, tableName: string): ReplyMetricsStore {
  const TableName = tableName;
  const keyOf = (conversationKey: string) => ({ pk: conversationPk(conversationKey), sk: CONVERSATION_SK });

  return {
    async readReplyMetrics(conversationKey, consistent) {
      const out = await db.send(
        new GetCommand({ TableName, Key: keyOf(conversationKey), ProjectionExpression: 'pk, lastAgentReplyAt, firstResponseAt', ConsistentRead: consistent }),
      );
      const conversation = out.Item;
      if (!conversation) return undefined;
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const lastAgentReplyAt = text(conversation.lastAgentReplyAt);
      const firstResponseAt = text(conversation.firstResponseAt);
      return { ...(lastAgentReplyAt !== undefined ? { lastAgentReplyAt } : {}), ...(firstResponseAt !== undefined ? { firstResponseAt } : {}) };
    },

    /** `lsi1sk` is `MSG#<occurredAt>#<id>`; `$` sorts right after `#`, so the range ends after `at`. */
    async firstCustomerMessageBefore(conversationKey, at) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName,
            IndexName: 'byTime',
            KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
            FilterExpression: 'direction = :inbound AND origin = :customer',
            ExpressionAttributeValues: {
              ':pk': conversationPk(conversationKey),
              ':from': 'MSG#',
              ':to': `MSG#${at}$`,
              ':inbound': 'inbound',
              ':customer': 'customer',
            },
            ProjectionExpression: 'occurredAt',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        const first = out.Items?.[0];
        if (first && typeof first.occurredAt === 'string') return { occurredAt: first.occurredAt };
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return undefined;
    },

    recordReplyMetrics(conversationKey, change) {
      const set: string[] = [];
      const conditions = ['attribute_exists(pk)'];
      const values: Record<string, unknown> = { ':at': change.at, ':id': change.messageId };
      if (change.moveLast) {
        set.push('lastAgentReplyAt = :at', 'lastAgentReplyMessageId = :id');
        conditions.push('(attribute_not_exists(lastAgentReplyAt) OR lastAgentReplyAt < :at)');
      }
      if (change.first) {
        set.push('firstResponseAt = :at', 'firstResponseMs = :ms', 'firstResponseMessageId = :id', 'firstInboundAt = :inboundAt');
        conditions.push('(attribute_not_exists(firstResponseAt) OR firstResponseAt > :at)');
        Object.assign(values, { ':ms': change.first.ms, ':inboundAt': change.first.inboundAt });
      }
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: keyOf(conversationKey),
            UpdateExpression: `SET ${set.join(', ')}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },
  };
}
