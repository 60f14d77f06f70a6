import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { contactSk } from '#lambdas/accounts/business-app-contacts';
import { conditionalWrite, type DocumentClient } from '#lambdas/adapters/dynamodb';
import type { ContactEventSources, StoredConversation, StoredCustomerMessage } from '#lambdas/contacts/contact-event-sources';
import type { ContactChannel } from '#lambdas/contacts/contact-model';
import type { ReferralRef } from '#lambdas/conversation/model';
import { accountPk, CONVERSATION_SK, conversationPk, messageSk, notificationSk, TABLE_KEYS } from '#lambdas/conversation/table-keys';

/**
 * The contacts consumer's reads of the table besides contacts (contact-event-sources.ts): the
 * customer's Message and Conversation items, stored notifications and address-book entries, and
 * the conversation's link to its contact.
 */
const CHANNELS: readonly string[] = ['whatsapp', 'instagram', 'messenger'];
const LANGUAGES: readonly string[] = ['es', 'pt', 'en'];
/** Messages looked at for the conversation's first customer message (business messages may come first). */
const FIRST_MESSAGES_SCANNED = 20;

type Item = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function dynamoContactEventSources(deps: { db: DocumentClient; tableName: string }): ContactEventSources {
  const { db, tableName: TableName } = deps;
  const get = async (pk: string, sk: string): Promise<Item | undefined> =>
    (await db.send(new GetCommand({ TableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

  return {
    async readMessage(conversationKey, providerMessageId) {
      const item = await get(conversationPk(conversationKey), messageSk(providerMessageId));
      return item ? messageFrom(item) : undefined;
    },

    async readConversation(conversationKey) {
      const item = await get(conversationPk(conversationKey), CONVERSATION_SK);
      if (!item || !CHANNELS.includes(String(item.channel)) || !str(item.accountId) || !str(item.customerId)) return undefined;
      return {
        conversationKey,
        channel: item.channel as ContactChannel,
        accountId: String(item.accountId),
        customerId: String(item.customerId),
        ...(str(item.customerName) ? { customerName: String(item.customerName) } : {}),
        ...(LANGUAGES.includes(String(item.language)) ? { language: item.language as StoredConversation['language'] } : {}),
        ...(str(item.contactId) ? { contactId: String(item.contactId) } : {}),
      };
    },

    async firstCustomerMessage(conversationKey) {
      const out = await db.send(
        new QueryCommand({
          TableName,
          IndexName: TABLE_KEYS.byTimeIndex.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(lsi1sk, :msg)',
          ExpressionAttributeValues: { ':pk': conversationPk(conversationKey), ':msg': 'MSG#' },
          ScanIndexForward: true,
          Select: 'ALL_ATTRIBUTES',
          Limit: FIRST_MESSAGES_SCANNED,
        }),
      );
      const first = (out.Items ?? []).find((i) => i.origin === 'customer' && i.direction === 'inbound');
      return first ? messageFrom(first) : undefined;
    },

    async linkConversation(conversationKey, contactId) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK },
            UpdateExpression: 'SET contactId = :contact',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(contactId)',
            ExpressionAttributeValues: { ':contact': contactId },
          }),
        ),
      );
    },

    async readNotification(accountId, eventId) {
      const item = await get(accountPk(accountId), notificationSk(eventId));
      if (!item || !str(item.topic)) return undefined;
      return { topic: String(item.topic), occurredAt: String(item.occurredAt ?? ''), ...(str(item.customerId) ? { customerId: String(item.customerId) } : {}) };
    },

    async readAddressBookEntry(accountId, customerId) {
      const item = await get(accountPk(accountId), contactSk(customerId));
      if (!item) return undefined;
      return { removed: item.removed === true, ...(str(item.addressBookName) ? { name: String(item.addressBookName) } : {}) };
    },
  };
}

function messageFrom(item: Item): StoredCustomerMessage | undefined {
  if (!CHANNELS.includes(String(item.channel)) || !str(item.accountId) || !str(item.customerId) || !str(item.occurredAt)) return undefined;
  return {
    conversationKey: String(item.conversationKey),
    providerMessageId: String(item.providerMessageId ?? item.messageId),
    channel: item.channel as ContactChannel,
    accountId: String(item.accountId),
    customerId: String(item.customerId),
    ...(str(item.customerWaId) ? { customerWaId: String(item.customerWaId) } : {}),
    ...(str(item.customerUserId) ? { customerUserId: String(item.customerUserId) } : {}),
    ...(str(item.origin) ? { origin: String(item.origin) } : {}),
    ...(str(item.direction) ? { direction: String(item.direction) } : {}),
    occurredAt: String(item.occurredAt),
    ...(str(item.text) ? { text: String(item.text) } : {}),
    ...(str(item.choiceTitle) ? { choiceTitle: String(item.choiceTitle) } : {}),
    ...(item.referral && typeof item.referral === 'object' ? { referral: item.referral as ReferralRef } : {}),
  };
}
