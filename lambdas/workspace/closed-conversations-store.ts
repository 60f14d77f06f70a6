import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { businessGsiPk } from '#lambdas/accounts/channel-account';
import { conversationsByStatePk } from '#lambdas/conversation/table-keys';

/** The attributes of a closed conversation the day's figures are made of. */
export interface ClosedConversation {
  conversationKey: string;
  channel?: string;
  accountId?: string;
  queueId?: string;
  assignedAgentId?: string;
  closedBy?: string;
  handoffRequestedAt?: string;
  queuedAt?: string;
  assignedAt?: string;
  firstHumanResponseAt?: string;
  firstHumanReplyAt?: string;
  closedAt?: string;
  closeOutcome?: string;
  slaFirstResponseDueAt?: string;
  slaState?: string;
  transfers?: number;
  csatScore?: number;
}

const FIELDS = [
  'conversationKey',
  'channel',
  'accountId',
  'queueId',
  'assignedAgentId',
  'closedBy',
  'handoffRequestedAt',
  'queuedAt',
  'assignedAt',
  'firstHumanResponseAt',
  'firstHumanReplyAt',
  'closedAt',
  'closeOutcome',
  'slaFirstResponseDueAt',
  'slaState',
  'transfers',
  'csatScore',
] as const;

export interface ClosedConversationSource {
  /** The channel accounts of a business (the registry's business index). */
  accountIdsOf(businessId: string): Promise<string[]>;
  /** Conversations of an account closed in [from, to), still closed now; at most `cap`. */
  closedBetween(accountId: string, from: string, to: string, cap: number): Promise<ClosedConversation[]>;
}

/**
 * Reads the by-state index (gsi1): one partition per account and state, sorted by the time of the
 * transition, so a day's closed conversations are one range of one partition per account. A
 * conversation the customer reopened has left the partition and is not counted.
 */
export function dynamoClosedConversationSource(deps: { db: DynamoDBDocumentClient; tableName: string }): ClosedConversationSource {
  return {
    async accountIdsOf(businessId) {
      const ids: string[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await deps.db.send(
          new QueryCommand({
            TableName: deps.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
            ExpressionAttributeValues: { ':pk': businessGsiPk(businessId), ':prefix': 'ACCOUNT#' },
            ProjectionExpression: 'accountId',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of out.Items ?? []) if (typeof item.accountId === 'string') ids.push(item.accountId);
        startKey = out.LastEvaluatedKey;
      } while (startKey && ids.length < 1000);
      return ids;
    },
    async closedBetween(accountId, from, to, cap) {
      const found: ClosedConversation[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await deps.db.send(
          new QueryCommand({
            TableName: deps.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': conversationsByStatePk(accountId, 'closed'), ':from': from, ':to': to },
            ProjectionExpression: FIELDS.map((_, i) => `#f${i}`).join(', '),
            ExpressionAttributeNames: Object.fromEntries(FIELDS.map((f, i) => [`#f${i}`, f])),
            ScanIndexForward: false,
            Limit: Math.min(500, cap - found.length),
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        found.push(...((out.Items ?? []) as ClosedConversation[]));
        startKey = out.LastEvaluatedKey;
      } while (startKey && found.length < cap);
      return found;
    },
  };
}
