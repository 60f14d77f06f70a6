import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { boundedId } from '#lambdas/shared/bounded-id';

/**
 * The changes a person of a business must see (a new offer, a customer message in an assigned
 * conversation, a status receipt, a transfer), kept for a day for clients that poll
 * (`GET /agent/updates?cursor=`). The WebSocket push consumer appends what it pushes; the polling
 * route reads what came after the caller's cursor.
 *
 *   pk                   sk                       entity
 *   FEED#<business>      <at>#<change id>         WorkspaceChange   (expiresAt: a day later)
 *
 * Ids only, never customer text: a client reads the conversation for the words.
 */
export interface WorkspaceChange {
  /** The bus detail type it came from (`conversation.offered`, `message.received`, `message.read`, …). */
  type: string;
  conversationKey?: string;
  queueId?: string;
  agentId?: string;
  messageId?: string;
  status?: string;
  /**
   * Agents who may see it (an offer is for the agent it was offered to); none: everyone of the
   * business. Supervisors see every change.
   */
  forAgentIds?: string[];
  at: string;
}

export interface FeedEntry extends WorkspaceChange {
  changeId: string;
}

export interface ChangeFeed {
  appendChange(businessId: string, change: WorkspaceChange): Promise<FeedEntry>;
  /** At most `limit` changes after the cursor (none: from `since`), and the cursor to ask with next. */
  changesSince(businessId: string, cursor: string | undefined, options: { limit: number; since: string }): Promise<{ items: FeedEntry[]; cursor: string }>;
}

export const FEED_TTL_SECONDS = 24 * 60 * 60;
/** How old a change must be before a poll hands it out (writers' clocks and write latency). */
export const FEED_SETTLE_MS = 1_000;
export const feedPk = (businessId: string) => `FEED#${boundedId(businessId)}`;
/** A cursor is the sort key of the last change read: an ISO time, `#`, an id. */
export const FEED_CURSOR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z#[A-Za-z0-9-]{0,64}$/;

const CHANGE_FIELDS = ['type', 'conversationKey', 'queueId', 'agentId', 'messageId', 'status', 'forAgentIds', 'at', 'changeId'] as const;

export function dynamoChangeFeed(deps: { db: DynamoDBDocumentClient; tableName: string; now?: () => Date }): ChangeFeed {
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
