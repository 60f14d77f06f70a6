import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '#lambdas/adapters/dynamodb';
import { unansweredMessages, type StoredMessage } from '#lambdas/agent/unanswered-messages';
import type { BotEndReason, BotEndSnapshot, BotOutcome } from '#lambdas/conversation-end/bot-outcome';
import type { EndWatch } from '#lambdas/conversation-end/end-watch';
import { END_WATCH_CURSOR_KEY, END_WATCH_TTL_DAYS, endWatchBucketOf, endWatchPk, endWatchShardOf, endWatchSk } from '#lambdas/conversation-end/end-watch-keys';
import { latestOutcomeUpdate, outcomeTags } from '#lambdas/conversation/conversation-outcome';
import type { Channel } from '#lambdas/conversation/model';
import { CONVERSATION_SK, conversationPk, expiresAt, TABLE_KEYS } from '#lambdas/conversation/table-keys';

/** A conversation as the sweep reads it: the decision's snapshot, and what an end writes and announces. */
export interface QuietConversation extends BotEndSnapshot {
  conversationKey: string;
  channel: Channel;
  accountId: string;
  tags: string[];
  /** The last end, as written (to announce it again when its event may not have gone out). */
  endOutcome?: BotOutcome;
  endReason?: BotEndReason;
  endFaqId?: string;
  endAnnouncedAt?: string;
}

export interface BotEnd {
  outcome: BotOutcome;
  reason: BotEndReason;
  faqId?: string;
  at: string;
}

/** The sweep's reads and writes (DynamoDB below; the use case is end-quiet-conversations.ts). */
export interface BotEndStore {
  /** The last quarter-hour bucket every conversation of which was looked at. */
  sweptThrough(): Promise<string | undefined>;
  markSwept(bucket: string): Promise<void>;
  /** The conversations watched in one bucket and shard (a key may repeat across buckets). */
  watched(bucket: string, shard: number): Promise<string[]>;
  conversation(conversationKey: string): Promise<QuietConversation | undefined>;
  /**
   * Writes the end, on condition that nothing moved since `seen` was read: still the bot's, the same
   * customer message last, no reply in flight, not ended for it yet. False when refused.
   */
  markEnded(seen: QuietConversation, end: BotEnd): Promise<boolean>;
  /** After `conversation.ended` went out: the end is announced. */
  markAnnounced(conversationKey: string, endedAt: string, at: string): Promise<void>;
}

/** How many of the latest messages the decision looks through. */
const RECENT_MESSAGES = 10;
const PERSON_ORIGINS = new Set(['human_agent', 'business_app', 'business_echo']);

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function dynamoBotEndStore(deps: { db: DynamoDBDocumentClient; tableName: string }): BotEndStore {
  const { db, tableName } = deps;
  return {
    async sweptThrough() {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: END_WATCH_CURSOR_KEY, ConsistentRead: true }));
      return str(out.Item?.sweptThrough);
    },

    async markSwept(bucket) {
      // The cursor only moves forward: two sweeps overlapping cannot move it back.
      await conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: END_WATCH_CURSOR_KEY,
            UpdateExpression: 'SET sweptThrough = :bucket, entity = :entity',
            ConditionExpression: 'attribute_not_exists(sweptThrough) OR sweptThrough < :bucket',
            ExpressionAttributeValues: { ':bucket': bucket, ':entity': 'EndWatchCursor' },
          }),
        ),
      );
    },

    async watched(bucket, shard) {
      const keys: string[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': endWatchPk(bucket, shard) },
            ProjectionExpression: 'conversationKey',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) {
          const key = str(item.conversationKey);
          if (key) keys.push(key);
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return keys;
    },

    async conversation(conversationKey) {
      const pk = conversationPk(conversationKey);
      const found = await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk: CONVERSATION_SK }, ConsistentRead: true }));
      const item = found.Item;
      if (item?.entity !== 'Conversation') return undefined;
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE_KEYS.byTimeIndex.name,
          KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': 'MSG#', ':to': 'MSG$' },
          ProjectionExpression: 'sk, lsi1sk, entity, providerMessageId, direction, origin, #type, replyKind, faqId, standby, deletedAt, occurredAt, receivedAt',
          ExpressionAttributeNames: { '#type': 'type' },
          ScanIndexForward: false,
          Limit: RECENT_MESSAGES,
          ConsistentRead: true,
        }),
      );
      const recent = ((out.Items ?? []) as Array<StoredMessage & { replyKind?: string; faqId?: string }>).reverse();
      const messages = recent.filter((m) => m.entity === 'Message');
      const lastBot = messages.filter((m) => m.direction === 'outbound' && m.origin === 'agent').at(-1);
      const lastPerson = messages.filter((m) => m.direction === 'outbound' && PERSON_ORIGINS.has(m.origin ?? '')).at(-1);
      const unanswered = unansweredMessages(messages, str(item.answeredThroughSk), str(item.answeredAt));
      const fields = [
        'lastInboundAt',
        'endedInboundAt',
        'endedAt',
        'pendingReplyId',
        'awaitingField',
        'consentStatus',
        'consentChangedAt',
        'handedBackAt',
        'endFaqId',
        'endAnnouncedAt',
      ] as const;
      const conversation: QuietConversation = {
        conversationKey,
        channel: item.channel as Channel,
        accountId: String(item.accountId),
        tags: outcomeTags(item.tags),
        unansweredCustomerMessages: unanswered.length,
        ...(str(item.state) ? { state: str(item.state) } : {}),
        ...(str(item.endOutcome) ? { endOutcome: item.endOutcome as BotOutcome } : {}),
        ...(str(item.endReason) ? { endReason: item.endReason as BotEndReason } : {}),
        ...(lastBot
          ? {
              lastBotReply: {
                at: lastBot.occurredAt,
                ...(str(lastBot.replyKind) ? { kind: lastBot.replyKind } : {}),
                ...(str(lastBot.faqId) ? { faqId: lastBot.faqId } : {}),
              },
            }
          : {}),
        ...(lastPerson ? { lastPersonMessageAt: lastPerson.occurredAt } : {}),
      };
      for (const field of fields) {
        const value = str(item[field]);
        if (value !== undefined) conversation[field] = value;
      }
      return conversation;
    },

    async markEnded(seen, end) {
      const latest = latestOutcomeUpdate(end.outcome, end.reason, end.at, 'bot');
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: conversationPk(seen.conversationKey), sk: CONVERSATION_SK },
            UpdateExpression:
              `SET endedAt = :at, endOutcome = :outcome, endReason = :reason, endedInboundAt = :seen, ${latest.set.join(', ')}` +
              (end.faqId ? ', endFaqId = :faq REMOVE endAnnouncedAt' : ' REMOVE endAnnouncedAt, endFaqId') +
              ' ADD version :one',
            ConditionExpression:
              '#state = :bot AND lastInboundAt = :seen AND attribute_not_exists(pendingReplyId) AND ' +
              '(attribute_not_exists(endedInboundAt) OR endedInboundAt <> :seen)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ...latest.values,
              ':at': end.at,
              ':outcome': end.outcome,
              ':reason': end.reason,
              ':seen': seen.lastInboundAt,
              ':bot': 'bot',
              ':one': 1,
              ...(end.faqId ? { ':faq': end.faqId } : {}),
            },
          }),
        ),
      );
    },

    async markAnnounced(conversationKey, endedAt, at) {
      await conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK },
            UpdateExpression: 'SET endAnnouncedAt = :at',
            ConditionExpression: 'endedAt = :endedAt',
            ExpressionAttributeValues: { ':at': at, ':endedAt': endedAt },
          }),
        ),
      );
    },
  };
}

/** A bucket already swept would never be read again: a due time in the past goes to the next quarter's bucket. */
const SOONEST_MS = 60_000;

/**
 * The end watch in the table: one small item per conversation and quarter-hour of due time
 * (end-watch-keys.ts), a put, so a repeat is harmless and a later message of the same quarter
 * simply replaces it. One write unit per customer message is the whole cost on the message path.
 */
export function dynamoEndWatch(deps: { db: DynamoDBDocumentClient; tableName: string; now?: () => Date }): EndWatch {
  const now = deps.now ?? (() => new Date());
  return {
    async watch(conversationKey, dueAt) {
      const due = dueAt.getTime();
      if (!Number.isFinite(due)) return;
      const bucket = endWatchBucketOf(Math.max(due, now().getTime() + SOONEST_MS));
      const dueIso = new Date(due).toISOString();
      await deps.db.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: {
            pk: endWatchPk(bucket, endWatchShardOf(conversationKey)),
            sk: endWatchSk(conversationKey),
            entity: 'EndWatch',
            conversationKey,
            dueAt: dueIso,
            expiresAt: expiresAt(dueIso, END_WATCH_TTL_DAYS),
          },
        }),
      );
    },
  };
}
