import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, cancelledOnlyByConditions, conditionalWrite } from '#lambdas/adapters/dynamodb';
import type { StoredMessage } from '#lambdas/agent/unanswered-messages';
import { ACTIVITY_FIELDS, type ActivitySide } from '#lambdas/conversation/conversation-store';
import type { MessageChangeEvent, MessageEvent } from '#lambdas/conversation/model';
import {
  changeSk,
  changeTimeSk,
  CONVERSATION_SK,
  conversationPk,
  conversationsByStatePk,
  conversationsByStateSk,
  messageSk,
  messageTimeSk,
  PROVIDER_ID_SK,
  providerIdPk,
  TABLE_KEYS,
} from '#lambdas/conversation/table-keys';
import { boundedId } from '#lambdas/shared/bounded-id';

/** Which counter of the conversation a stored message adds to. */
export type MessageCounter = 'inboundCount' | 'outboundCount' | 'importedCount';

/** A message the normalizer records, with what storing it implies (record-normalized-event.ts decides). */
export interface NewMessage {
  event: MessageEvent;
  receivedAt: string;
  /** When the message became visible to the agent: its quiet period runs from here (agent/quiet-period.ts). */
  storedAt: string;
  expiresAt: number;
  counter: MessageCounter;
  /** A business message gets a provider-id pointer, which tells the echo of our own send. */
  withPointer: boolean;
}

/**
 * - `stored`: the message, its pointer and its count were written.
 * - `activity_behind`: only the conversation's last-activity condition refused (another message moved it meanwhile); nothing was written.
 * - `duplicate`: the message item is already there.
 * - `known_message`: the provider id already points at another item (the echo of a message we sent).
 */
export type MessageRecordOutcome = 'stored' | 'activity_behind' | 'duplicate' | 'known_message';

/** Where a message is kept: its conversation and its sort key. */
export interface MessageRef {
  conversationKey: string;
  sk: string;
}

/** The MessageChange item (an edit or a deletion as Meta reported it), kept once per event. */
export interface MessageChangeItem {
  pk: string;
  sk: string;
  lsi1sk: string;
  entity: 'MessageChange';
  eventId: string;
  conversationKey: string;
  channel: MessageChangeEvent['channel'];
  accountId: string;
  change: 'deleted' | 'edited';
  providerMessageId: string;
  rawIds?: MessageChangeEvent['rawIds'];
  origin?: MessageChangeEvent['origin'];
  text?: string;
  editCount?: number;
  occurredAt: string;
  receivedAt: string;
  expiresAt: number;
}

/** The Message items of conversations: recorded once, changed by edits and deletions, read in time order. */
export interface MessageStore {
  /**
   * One transaction: the message item (on condition it is new), its provider-id pointer when asked
   * (on condition it is new), and the conversation created or counted; with `activity`, the
   * conversation's last activity on that side moves to the message, on condition it is behind.
   */
  recordMessage(message: NewMessage, activity: ActivitySide | undefined): Promise<MessageRecordOutcome>;
  /** Keeps a MessageChange item once per event; false when it is already there. */
  recordChange(event: MessageChangeEvent, receivedAt: string, expiresAt: number): Promise<boolean>;
  /**
   * Where a message named by its provider id is kept: through its provider-id pointer (a business
   * message), else under that id in `conversationKey` (a customer's message has no pointer).
   */
  findMessage(providerMessageId: string, conversationKey: string): Promise<MessageRef>;
  /** Marks a message deleted (the first deletion time stays). False when the message is not there. */
  markDeleted(ref: MessageRef, at: string): Promise<boolean>;
  /** Replaces a message's text, keeping the original, unless a later edit is already applied. False when refused. */
  applyEdit(ref: MessageRef, edit: { text: string | undefined; at: string; editCount: number }): Promise<boolean>;
  /**
   * The conversation's messages from `fromSk` on (the time-ordered key), oldest first, every page.
   * The range ends at `MSG$` (`$` sorts right after `#`) so that change items on the same index stay out.
   */
  messagesSince(conversationKey: string, fromSk: string): Promise<StoredMessage[]>;
  /** The conversation's latest `limit` messages, oldest first. */
  latestMessages(conversationKey: string, limit: number): Promise<StoredMessage[]>;
  /** Whether the provider id points at a Message item kept under another id: one of our own sends. */
  isOwnSend(providerMessageId: string): Promise<boolean>;
  /** Whether one of the conversation's latest 20 messages is an outbound send still in flight (`sending`). */
  hasSendInFlight(conversationKey: string): Promise<boolean>;
}

export function createMessageStore(db: DynamoDBDocumentClient, tableName: string): MessageStore {
  const byTime = (conversationKey: string, from: string) => ({
    TableName: tableName,
    IndexName: TABLE_KEYS.byTimeIndex.name,
    KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': conversationPk(conversationKey), ':from': from, ':to': 'MSG$' },
    // The index holds keys only; the items come from the table.
    Select: 'ALL_ATTRIBUTES' as const,
    ConsistentRead: true,
  });
  const pointer = async (providerMessageId: string) => {
    const out = await db.send(new GetCommand({ TableName: tableName, Key: { pk: providerIdPk(providerMessageId), sk: PROVIDER_ID_SK }, ConsistentRead: true }));
    return out.Item as { conversationKey?: string; messageSk?: string } | undefined;
  };

  return {
    async recordMessage(message, activity) {
      const { event } = message;
      const sk = messageSk(event.providerMessageId);
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: messageItem(message, sk),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...(message.withPointer
                ? [
                    {
                      // Lets a receipt that only names the provider id find its message and conversation.
                      Put: {
                        TableName: tableName,
                        Item: {
                          pk: providerIdPk(event.providerMessageId),
                          sk: PROVIDER_ID_SK,
                          entity: 'ProviderMessageId',
                          conversationKey: event.conversationKey,
                          messageSk: sk,
                          expiresAt: message.expiresAt,
                        },
                        ConditionExpression: 'attribute_not_exists(pk)',
                      },
                    },
                  ]
                : []),
              { Update: { TableName: tableName, ...conversationCount(message, activity) } },
            ],
          }),
        );
        return 'stored';
      } catch (err) {
        if (!cancelledOnlyByConditions(err)) throw err;
        const codes = cancellationCodes(err);
        if (activity !== undefined && codes.slice(0, -1).every((c) => c === 'None')) return 'activity_behind';
        const [messageCode, providerIdCode] = codes;
        if (message.withPointer && messageCode !== 'ConditionalCheckFailed' && providerIdCode === 'ConditionalCheckFailed') return 'known_message';
        return 'duplicate';
      }
    },

    recordChange(event, receivedAt, expiresAt) {
      const item: MessageChangeItem = {
        pk: conversationPk(event.conversationKey),
        sk: changeSk(event.eventId),
        lsi1sk: changeTimeSk(event.occurredAt),
        entity: 'MessageChange',
        eventId: event.eventId,
        conversationKey: event.conversationKey,
        channel: event.channel,
        accountId: event.accountId,
        change: event.kind === 'message_deleted' ? 'deleted' : 'edited',
        providerMessageId: event.providerMessageId,
        rawIds: event.rawIds,
        origin: event.origin,
        text: event.text,
        editCount: event.editCount,
        occurredAt: event.occurredAt,
        receivedAt,
        expiresAt,
      };
      return conditionalWrite(db.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })));
    },

    async findMessage(providerMessageId, conversationKey) {
      const target = await pointer(providerMessageId);
      return target?.conversationKey && target.messageSk
        ? { conversationKey: target.conversationKey, sk: target.messageSk }
        : { conversationKey, sk: messageSk(providerMessageId) };
    },

    markDeleted(ref, at) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: conversationPk(ref.conversationKey), sk: ref.sk },
            UpdateExpression: 'SET deletedAt = if_not_exists(deletedAt, :at)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },

    applyEdit(ref, edit) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: conversationPk(ref.conversationKey), sk: ref.sk },
            UpdateExpression: 'SET originalText = if_not_exists(originalText, #text), #text = :text, editedAt = :at, editCount = :n',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(editCount) OR editCount < :n)',
            ExpressionAttributeNames: { '#text': 'text' },
            ExpressionAttributeValues: { ':text': edit.text ?? null, ':at': edit.at, ':n': edit.editCount },
          }),
        ),
      );
    },

    async messagesSince(conversationKey, fromSk) {
      const items: StoredMessage[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(new QueryCommand({ ...byTime(conversationKey, fromSk), ScanIndexForward: true, ExclusiveStartKey: startKey }));
        items.push(...((out.Items ?? []) as StoredMessage[]));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return items;
    },

    async latestMessages(conversationKey, limit) {
      const out = await db.send(new QueryCommand({ ...byTime(conversationKey, 'MSG#'), ScanIndexForward: false, Limit: limit }));
      return ((out.Items ?? []) as StoredMessage[]).reverse();
    },

    async isOwnSend(providerMessageId) {
      const pointsAt = (await pointer(providerMessageId))?.messageSk;
      return pointsAt !== undefined && pointsAt !== messageSk(providerMessageId);
    },

    async hasSendInFlight(conversationKey) {
      const recent = await db.send(
        new QueryCommand({
          ...byTime(conversationKey, 'MSG#'),
          // The index projects `direction`; `status` comes from the table, so it is checked here.
          FilterExpression: 'direction = :out',
          ExpressionAttributeValues: { ...byTime(conversationKey, 'MSG#').ExpressionAttributeValues, ':out': 'outbound' },
          ScanIndexForward: false,
          Limit: 20,
        }),
      );
      return (recent.Items ?? []).some((item) => item.status === 'sending');
    },
  };
}

/** The conversation's side of storing a message: created if new, counted, and (when asked) its last activity moved. */
function conversationCount(message: NewMessage, side: ActivitySide | undefined) {
  const { event, counter } = message;
  const activity = side === undefined ? undefined : ACTIVITY_FIELDS[side];
  return {
    Key: { pk: conversationPk(event.conversationKey), sk: CONVERSATION_SK },
    UpdateExpression:
      'SET entity = :entity, conversationKey = :key, channel = :channel, accountId = :account, ' +
      'businessAccountId = :business, customerId = if_not_exists(customerId, :customer), ' +
      'createdAt = if_not_exists(createdAt, :at), #state = if_not_exists(#state, :bot), ' +
      'gsi1pk = if_not_exists(gsi1pk, :g1pk), gsi1sk = if_not_exists(gsi1sk, :g1sk), ' +
      'updatedAt = :now, expiresAt = :ttl' +
      (event.customer.name ? ', customerName = :name' : '') +
      (activity ? `, ${activity[0]} = :at, ${activity[1]} = :messageId` : '') +
      ` ADD version :one, ${counter} :one`,
    ...(activity ? { ConditionExpression: `attribute_not_exists(${activity[0]}) OR ${activity[0]} < :at` } : {}),
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':entity': 'Conversation',
      ':key': event.conversationKey,
      ':channel': event.channel,
      ':account': event.accountId,
      ':business': event.businessAccountId,
      ':customer': boundedId(event.customer.id),
      ':at': event.occurredAt,
      ':bot': 'bot',
      ':g1pk': conversationsByStatePk(event.accountId, 'bot'),
      ':g1sk': conversationsByStateSk(event.occurredAt, event.conversationKey),
      ':now': message.storedAt,
      ':ttl': message.expiresAt,
      ':one': 1,
      ...(event.customer.name ? { ':name': event.customer.name } : {}),
      ...(activity ? { ':messageId': event.providerMessageId } : {}),
    },
  };
}

function messageItem(message: NewMessage, sk: string) {
  const { event } = message;
  const firstMedia = event.media?.[0];
  const firstError = event.errors?.[0];
  return {
    pk: conversationPk(event.conversationKey),
    sk,
    lsi1sk: messageTimeSk(event.occurredAt, event.providerMessageId),
    entity: 'Message',
    eventId: event.eventId,
    conversationKey: event.conversationKey,
    channel: event.channel,
    accountId: event.accountId,
    businessAccountId: event.businessAccountId,
    customerId: event.customer.id,
    customerWaId: event.customer.waId,
    customerUserId: event.customer.userId,
    // Payload ids replaced by their hash in keys and attributes above, as sent (cut to a bound).
    rawIds: event.rawIds,
    direction: event.direction,
    origin: event.origin,
    type: event.type,
    messageId: event.providerMessageId,
    providerMessageId: event.providerMessageId,
    occurredAt: event.occurredAt,
    receivedAt: message.receivedAt,
    // When the message became visible to the agent: its quiet period runs from here (agent/quiet-period.ts).
    storedAt: message.storedAt,
    text: event.text,
    replyToMessageId: event.replyToMessageId,
    choiceId: event.choice?.id,
    choiceTitle: event.choice?.title,
    choiceSource: event.choice?.source,
    reactionTargetId: event.reaction?.targetMessageId,
    reactionEmoji: event.reaction?.emoji,
    reactionAction: event.reaction?.action,
    mediaCount: event.media?.length ?? 0,
    mediaId: firstMedia?.id,
    mediaUrl: firstMedia?.url,
    mediaMimeType: firstMedia?.mimeType,
    media: event.media,
    latitude: event.location?.latitude,
    longitude: event.location?.longitude,
    location: event.location,
    contacts: event.contacts,
    flowResponse: event.flowResponse,
    order: event.order,
    system: event.system,
    referralSource: event.referral?.sourceType ?? event.referral?.source,
    referralAdId: event.referral?.adId ?? event.referral?.sourceId,
    referral: event.referral,
    storyReplyId: event.storyReply?.id,
    forwarded: event.forwarded,
    frequentlyForwarded: event.frequentlyForwarded,
    groupId: event.groupId,
    errorCode: firstError?.code,
    errorTitle: firstError?.title,
    errors: event.errors,
    appId: event.appId,
    standby: event.standby,
    expiresAt: message.expiresAt,
  };
}
