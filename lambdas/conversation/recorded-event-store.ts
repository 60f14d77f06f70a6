import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, rejectedAsInvalid } from '#lambdas/adapters/dynamodb';
import type { NotificationEvent, StatusEvent } from '#lambdas/conversation/model';
import {
  accountPk,
  conversationPk,
  notificationSk,
  notificationTimeSk,
  QUARANTINE_SK,
  quarantineByDayPk,
  quarantineByDaySk,
  quarantinePk,
  statusSk,
} from '#lambdas/conversation/table-keys';
import { truncateUtf8 } from '#lambdas/shared/bounded-id';

/**
 * The items the normalizer keeps once per provider event besides messages: receipts
 * (StatusChange), account notifications (Notification) and quarantined events (QuarantinedEvent).
 * Each is written on condition that it is new, so a redelivery writes nothing.
 */

/** `stored` the first time; `duplicate` when an earlier delivery already wrote it. */
export type PutOnceOutcome = 'stored' | 'duplicate';

/** A quarantined event as kept: what the normalizer could not read, waiting for a person. */
export interface QuarantineEntry {
  /** Already bounded (record-normalized-event.ts). */
  eventId: string;
  channel: string;
  conversationKey: string;
  rawIds?: Record<string, unknown>;
  reason: string;
  detail?: string;
  /** As the webhook stamped it: the day index is keyed by it, the attribute is cut to 64 bytes. */
  receivedAt: string;
  rawPayload: string;
  rawTruncated: boolean;
  rawBytes: number;
  claimCheckBucket?: string;
  claimCheckKey?: string;
  expiresAt: number;
}

export interface RecordedEventStore {
  recordStatusChange(event: StatusEvent, receivedAt: string, expiresAt: number): Promise<PutOnceOutcome>;
  recordNotification(event: NotificationEvent, receivedAt: string, expiresAt: number): Promise<PutOnceOutcome>;
  /**
   * A quarantine item is the last place a signed event can go, so it must be storable: when
   * DynamoDB still refuses it for what it contains, it is stored again without the raw payload, its
   * detail and raw ids, and says so; a claim-check copy, when there is one, still holds the whole body.
   */
  recordQuarantine(entry: QuarantineEntry): Promise<PutOnceOutcome>;
}

export function createRecordedEventStore(db: DynamoDBDocumentClient, tableName: string): RecordedEventStore {
  const putOnce = async (item: Record<string, unknown>): Promise<PutOnceOutcome> =>
    (await conditionalWrite(db.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }))))
      ? 'stored'
      : 'duplicate';
  return {
    recordStatusChange: (event, receivedAt, expiresAt) => putOnce(statusChangeItem(event, receivedAt, expiresAt)),
    recordNotification: (event, receivedAt, expiresAt) => putOnce(notificationItem(event, receivedAt, expiresAt)),
    async recordQuarantine(entry) {
      const item = quarantineItem(entry);
      try {
        return await putOnce(item);
      } catch (err) {
        if (!rejectedAsInvalid(err)) throw err;
        const { rawPayload: _dropped, detail: _detail, rawIds: _rawIds, ...bare } = item as typeof item & { rawIds?: unknown };
        return putOnce({ ...bare, rawPayload: '', rawTruncated: true, rawOmitted: 'store_rejected' });
      }
    },
  };
}

export type StatusChangeItem = ReturnType<typeof statusChangeItem>;

function statusChangeItem(event: StatusEvent, receivedAt: string, expiresAt: number) {
  const messageRef = event.providerMessageId ?? `watermark:${event.watermark ?? event.occurredAt}`;
  const firstError = event.errors?.[0];
  return {
    pk: conversationPk(event.conversationKey),
    sk: statusSk(messageRef, event.status),
    // No time-index key: nothing reads receipts in time order, and each item in the index is one
    // more write unit per receipt (the index projects every attribute).
    entity: 'StatusChange' as const,
    eventId: event.eventId,
    conversationKey: event.conversationKey,
    channel: event.channel,
    accountId: event.accountId,
    customerId: event.customer.id,
    providerMessageId: event.providerMessageId,
    providerMessageIds: event.providerMessageIds,
    rawIds: event.rawIds,
    watermark: event.watermark,
    status: event.status,
    occurredAt: event.occurredAt,
    receivedAt,
    errorCode: firstError?.code,
    errorTitle: firstError?.title,
    errors: event.errors,
    pricingCategory: event.pricing?.category,
    pricingBillable: event.pricing?.billable,
    pricingModel: event.pricing?.pricingModel,
    pricingType: event.pricing?.type,
    billingConversationId: event.billingConversation?.id,
    billingConversationOrigin: event.billingConversation?.originType,
    expiresAt,
  };
}

function notificationItem(event: NotificationEvent, receivedAt: string, expiresAt: number) {
  const flatDetails = Object.fromEntries(Object.entries(event.details).map(([k, v]) => [`detail_${k}`, v]));
  return {
    ...flatDetails,
    pk: accountPk(event.accountId),
    sk: notificationSk(event.eventId),
    lsi1sk: notificationTimeSk(event.occurredAt),
    entity: 'Notification',
    eventId: event.eventId,
    topic: event.topic,
    channel: event.channel,
    accountId: event.accountId,
    businessAccountId: event.businessAccountId,
    conversationKey: event.conversationKey,
    customerId: event.customer?.id,
    rawIds: event.rawIds,
    occurredAt: event.occurredAt,
    receivedAt,
    expiresAt,
  };
}

function quarantineItem(entry: QuarantineEntry) {
  const { eventId, receivedAt } = entry;
  return {
    pk: quarantinePk(eventId),
    sk: QUARANTINE_SK,
    gsi1pk: quarantineByDayPk(receivedAt),
    gsi1sk: quarantineByDaySk(receivedAt, eventId),
    entity: 'QuarantinedEvent',
    eventId,
    channel: entry.channel,
    conversationKey: entry.conversationKey,
    ...(entry.rawIds ? { rawIds: entry.rawIds } : {}),
    reason: entry.reason,
    detail: entry.detail,
    receivedAt: truncateUtf8(receivedAt, 64),
    rawPayload: entry.rawPayload,
    rawTruncated: entry.rawTruncated,
    rawBytes: entry.rawBytes,
    claimCheckBucket: entry.claimCheckBucket,
    claimCheckKey: entry.claimCheckKey,
    expiresAt: entry.expiresAt,
  };
}
