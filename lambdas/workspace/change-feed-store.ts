import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { FEED_SETTLE_MS, FEED_TTL_SECONDS, feedPk, type ChangeFeed, type FeedEntry } from '#lambdas/workspace/change-feed';

/** The business's change feed on the table (the item family is described in change-feed.ts). */
const CHANGE_FIELDS = ['type', 'conversationKey', 'queueId', 'agentId', 'messageId', 'status', 'forAgentIds', 'at', 'changeId'] as const;

export function dynamoChangeFeed(deps: { db: DocumentClient; tableName: string; now?: () => Date }): ChangeFeed {
  const now = () => (deps.now ?? (() => new Date()))();
  return {
    async appendChange(businessId, change) {
      const changeId = randomUUID();
      // Ordered by when it was written here: a poller that read up to now never misses a later append.
      const writtenAt = now().toISOString();
      const entry: FeedEntry = { ...change, changeId };
      await deps.db.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: {
            pk: feedPk(businessId),
            sk: `${writtenAt}#${changeId}`,
            entity: 'WorkspaceChange',
            ...Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)),
            expiresAt: Math.floor(now().getTime() / 1000) + FEED_TTL_SECONDS,
          },
        }),
      );
      return entry;
    },
    async changesSince(businessId, cursor, options) {
      const after = cursor ?? `${options.since}#`;
      // Appends of other functions may land a moment out of order: read only what has settled.
      const until = `${new Date(now().getTime() - FEED_SETTLE_MS).toISOString()}#~`;
      if (until <= after) return { items: [], cursor: after };
      const out = await deps.db.send(
        new QueryCommand({
          TableName: deps.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :after AND :until',
          ExpressionAttributeValues: { ':pk': feedPk(businessId), ':after': after, ':until': until },
          ScanIndexForward: true,
          Limit: options.limit + 1,
          ConsistentRead: true,
        }),
      );
      const items = (out.Items ?? []).filter((i) => i.sk !== after).slice(0, options.limit);
      const last = items.at(-1);
      return {
        items: items.map((i) => Object.fromEntries(CHANGE_FIELDS.filter((f) => i[f] !== undefined).map((f) => [f, i[f]])) as unknown as FeedEntry),
        cursor: last ? String(last.sk) : after,
      };
    },
  };
}
