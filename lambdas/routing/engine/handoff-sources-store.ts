import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, type DocumentClient } from '#lambdas/adapters/dynamodb';
import { CONVERSATION_SK, conversationPk, expiresAt, messageSk, messageTimeSk, TABLE_KEYS } from '#lambdas/conversation/table-keys';
import type { HandoffConversation, HandoffMessage, HandoffSources } from '#lambdas/routing/engine/handoff-sources';

/**
 * What a handoff reads and writes on the table (handoff-sources.ts): the Conversation with its
 * latest messages, an outbound message's reply kind, and the out-of-hours notice's Message item.
 */

/** How many of the latest messages a handoff looks through for its context. */
const RECENT_MESSAGES = 30;

export function dynamoHandoffSources(deps: { db: DocumentClient; tableName: string; retentionDays: number }): HandoffSources {
  return {
    async readConversation(conversationKey) {
      const pk = conversationPk(conversationKey);
      const found = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: { pk, sk: CONVERSATION_SK }, ConsistentRead: true }));
      const item = found.Item;
      if (!item) return undefined;
      const messages = await deps.db.send(
        new QueryCommand({
          TableName: deps.tableName,
          IndexName: TABLE_KEYS.byTimeIndex.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(lsi1sk, :msg)',
          ExpressionAttributeValues: { ':pk': pk, ':msg': 'MSG#' },
          ProjectionExpression: 'direction, origin, #text, replyKind, faqId, occurredAt',
          ExpressionAttributeNames: { '#text': 'text' },
          ScanIndexForward: false,
          Limit: RECENT_MESSAGES,
        }),
      );
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const recentMessages: HandoffMessage[] = (messages.Items ?? []).map((m) => ({
        direction: m.direction === 'outbound' ? 'outbound' : 'inbound',
        ...(str(m.origin) ? { origin: str(m.origin) } : {}),
        ...(str(m.text) ? { text: str(m.text) } : {}),
        ...(str(m.replyKind) ? { replyKind: str(m.replyKind) } : {}),
        ...(str(m.faqId) ? { faqId: str(m.faqId) } : {}),
        occurredAt: str(m.occurredAt) ?? '',
      }));
      const conversation: HandoffConversation = {
        conversationKey,
        channel: item.channel,
        accountId: String(item.accountId),
        customerId: String(item.customerId),
        recentMessages,
      };
      for (const field of ['businessAccountId', 'language', 'lastInboundAt', 'lastInboundMessageId', 'capturedOrderId', 'lastFaqId'] as const) {
        const value = str(item[field]);
        if (value !== undefined) conversation[field] = value;
      }
      return conversation;
    },

    async outboundReplyKind(conversationKey, outboundId) {
      const out = await deps.db.send(
        new GetCommand({
          TableName: deps.tableName,
          Key: { pk: conversationPk(conversationKey), sk: messageSk(outboundId) },
          ProjectionExpression: 'replyKind, direction, saysAway',
        }),
      );
      if (out.Item?.direction !== 'outbound' || typeof out.Item.replyKind !== 'string') return undefined;
      // The bot's acknowledgement sent out of its hours already said the team is away.
      return out.Item.saysAway === true ? 'out_of_hours' : out.Item.replyKind;
    },

    async writeNotice(conversation, notice) {
      const item = {
        pk: conversationPk(conversation.conversationKey),
        sk: messageSk(notice.outboundId),
        lsi1sk: messageTimeSk(notice.at, notice.outboundId),
        entity: 'Message',
        messageId: notice.outboundId,
        conversationKey: conversation.conversationKey,
        channel: conversation.channel,
        accountId: conversation.accountId,
        ...(conversation.businessAccountId ? { businessAccountId: conversation.businessAccountId } : {}),
        customerId: conversation.customerId,
        recipientId: conversation.customerId,
        direction: 'outbound',
        origin: 'agent',
        type: 'text',
        text: notice.text,
        language: notice.language,
        replyKind: 'queue_out_of_hours',
        replyToMessageIds: conversation.lastInboundMessageId ? [conversation.lastInboundMessageId] : [],
        status: 'pending',
        occurredAt: notice.at,
        createdAt: notice.at,
        expiresAt: expiresAt(notice.at, deps.retentionDays),
      };
      return conditionalWrite(deps.db.send(new PutCommand({ TableName: deps.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })));
    },
  };
}
