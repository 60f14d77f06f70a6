import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { contactSk } from '#lambdas/accounts/business-app-contacts';
import type { ContactChannel } from '#lambdas/contacts/contact-model';
import type { ReferralRef } from '#lambdas/conversation/model';
import { accountPk, CONVERSATION_SK, conversationPk, messageSk, notificationSk, TABLE_KEYS } from '#lambdas/conversation/table-keys';

/** A customer's message as the normalizer stored it (conversation/record-normalized-event.ts). */
export interface StoredCustomerMessage {
  conversationKey: string;
  providerMessageId: string;
  channel: ContactChannel;
  accountId: string;
  customerId: string;
  customerWaId?: string;
  customerUserId?: string;
  origin?: string;
  direction?: string;
  occurredAt: string;
  text?: string;
  choiceTitle?: string;
  referral?: ReferralRef;
}

export interface StoredConversation {
  conversationKey: string;
  channel: ContactChannel;
  accountId: string;
  customerId: string;
  customerName?: string;
  language?: 'es' | 'pt' | 'en';
  contactId?: string;
}

/** What the contacts consumer reads besides contacts: events carry ids only, the truth is in the table. */
export interface ContactEventSources {
  readMessage(conversationKey: string, providerMessageId: string): Promise<StoredCustomerMessage | undefined>;
  readConversation(conversationKey: string): Promise<StoredConversation | undefined>;
  /** The conversation's earliest customer message among its first few messages. */
  firstCustomerMessage(conversationKey: string): Promise<StoredCustomerMessage | undefined>;
  /** Writes `contactId` on the conversation when it has none; true when this call wrote it. */
  linkConversation(conversationKey: string, contactId: string): Promise<boolean>;
  /** A stored notification (`ACCT#<account>/NOTE#<event id>`): its topic, customer and time. */
  readNotification(accountId: string, eventId: string): Promise<{ topic: string; customerId?: string; occurredAt: string } | undefined>;
  /** The business app's address-book entry for a number (accounts/business-app-contacts.ts). */
  readAddressBookEntry(accountId: string, customerId: string): Promise<{ name?: string; removed: boolean } | undefined>;
}

const CHANNELS: readonly string[] = ['whatsapp', 'instagram', 'messenger'];
const LANGUAGES: readonly string[] = ['es', 'pt', 'en'];
/** Messages looked at for the conversation's first customer message (business messages may come first). */
const FIRST_MESSAGES_SCANNED = 20;

type Item = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function dynamoContactEventSources(deps: { db: DynamoDBDocumentClient; tableName: string }): ContactEventSources {
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
          Limit: FIRST_MESSAGES_SCANNED,
        }),
      );
      const first = (out.Items ?? []).find((i) => i.origin === 'customer' && i.direction === 'inbound');
      return first ? messageFrom(first) : undefined;
    },

    async linkConversation(conversationKey, contactId) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK },
            UpdateExpression: 'SET contactId = :contact',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(contactId)',
            ExpressionAttributeValues: { ':contact': contactId },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionalCheckFailed(err)) return false;
        throw err;
      }
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
