import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';

export interface MetricsDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Outbound messages that answer the customer: the bot's and a human agent's replies sent through
 * the pipeline, and a person's replies from the WhatsApp Business App or the Instagram/Messenger
 * inbox (seen as echoes). Campaigns are not answers, and imported history (`history`) happened
 * before the pipeline existed, so neither counts.
 */
const REPLY_ORIGINS = new Set(['agent', 'human_agent', 'business_app', 'business_echo']);

export interface AgentReply {
  messageId: string;
  /** When Meta accepted the reply. */
  sentAt: string;
}

/**
 * The reply a receipt proves was sent, if the message is one. Its time is `sentAt` (recorded by
 * the sender when the Graph API accepted it, or by the `sent` receipt), else the receipt's own
 * time: Instagram and Messenger only send delivery and read receipts. A failed message never
 * reached the customer.
 */
export function agentReplyOf(item: Record<string, unknown>, receiptAt: string): AgentReply | undefined {
  if (item.direction !== 'outbound' || item.status === 'failed') return undefined;
  if (typeof item.origin !== 'string' || !REPLY_ORIGINS.has(item.origin)) return undefined;
  const messageId = typeof item.messageId === 'string' ? item.messageId : typeof item.sk === 'string' ? item.sk.replace(/^MSG#/, '') : undefined;
  if (!messageId) return undefined;
  return { messageId, sentAt: typeof item.sentAt === 'string' ? item.sentAt : receiptAt };
}

/** Milliseconds from the customer's first message to the first reply; undefined if the reply came first. */
export function responseTimeMs(firstInboundAt: string, replyAt: string): number | undefined {
  const ms = Date.parse(replyAt) - Date.parse(firstInboundAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/**
 * Conversation metrics from one sent reply:
 * - `lastAgentReplyAt` only moves forward, whatever order receipts arrive in;
 * - `firstResponseAt`/`firstResponseMs` measure from the customer's first message to the first
 *   reply sent after it. Receipts arrive out of order, so the earliest reply seen wins: the value
 *   is set once and only ever replaced by an earlier reply, and converges to the true first one.
 *   A reply with no customer message before it (the business wrote first) sets nothing.
 * Both writes are conditional, so a redelivered receipt changes nothing.
 */
export async function recordAgentReply(conversationKey: string, reply: AgentReply, deps: MetricsDeps): Promise<void> {
  const key = { pk: conversationPk(conversationKey), sk: CONVERSATION_SK };
  let conversation: Record<string, unknown> | undefined;
  try {
    const out = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression: 'SET lastAgentReplyAt = :at, lastAgentReplyMessageId = :id',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastAgentReplyAt) OR lastAgentReplyAt < :at)',
        ExpressionAttributeValues: { ':at': reply.sentAt, ':id': reply.messageId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    conversation = out.Attributes;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    // Every receipt of a reply comes here (sent, delivered, read): reading the first response
    // costs one small read, where looking for the customer's first message would cost a query.
    const out = await deps.db.send(
      new GetCommand({ TableName: deps.tableName, Key: key, ProjectionExpression: 'pk, firstResponseAt', ConsistentRead: true }),
    );
    if (!out.Item) return;
    conversation = out.Item;
  }
  // An older reply than the last one can still be the first: only a known earlier first stops here.
  const knownFirst = conversation?.firstResponseAt;
  if (typeof knownFirst === 'string' && knownFirst <= reply.sentAt) return;

  const firstInbound = await firstCustomerMessageBefore(conversationKey, reply.sentAt, deps);
  if (!firstInbound) return;
  const ms = responseTimeMs(firstInbound.occurredAt, reply.sentAt);
  if (ms === undefined) return;
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression:
          'SET firstResponseAt = :at, firstResponseMs = :ms, firstResponseMessageId = :id, firstInboundAt = :inboundAt',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(firstResponseAt) OR firstResponseAt > :at)',
        ExpressionAttributeValues: { ':at': reply.sentAt, ':ms': ms, ':id': reply.messageId, ':inboundAt': firstInbound.occurredAt },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/**
 * The conversation's oldest customer message at or before `at`, in time order through the byTime
 * index (`MSG#<occurredAt>#<id>`; `$` sorts right after `#`, so the range ends after `at`).
 * Imported history and the business's own messages are filtered out. Runs until the first
 * response is known, so once per conversation in practice.
 */
async function firstCustomerMessageBefore(
  conversationKey: string,
  at: string,
  deps: MetricsDeps,
): Promise<{ occurredAt: string } | undefined> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
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
}
