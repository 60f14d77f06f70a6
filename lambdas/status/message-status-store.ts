import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { campaignMessageProjection } from '#lambdas/campaigns/campaign-counts-store';
import { conversationPk, PROVIDER_ID_SK, providerIdPk, statusSk } from '#lambdas/conversation/table-keys';
import { STATUS_RANK, STATUS_TIME_ATTRIBUTE, type TrackedStatus } from '#lambdas/status/status-rank';

/**
 * A business message's delivery status as receipts move it: the Message item's current status
 * (`status`, `statusRank`), the time of each status, the receipt that last moved it
 * (`statusEventId`), the error and pricing Meta reported, and the message's price. Also what
 * receipts read to find their message: the provider-id pointer, the conversation's time index,
 * and the StatusChange items the normalizer kept.
 */
export interface MessageRef {
  conversationKey: string;
  /** The Message item's sort key (`MSG#<id>`). */
  messageSk: string;
}

/** One receipt's status change, as written on the message. */
export interface StatusWrite {
  status: TrackedStatus;
  at: string;
  eventId: string;
  errorCode?: number;
  errorTitle?: string;
  /** WhatsApp pricing as Meta reported it with this status (`service`, `marketing`, …). */
  pricingCategory?: string;
  billable?: boolean;
}

/** The price attributes of a message, written together once. */
export interface PriceAttributes {
  metaPricingModel: string;
  metaCategory: string;
  metaPricingType: string;
  metaBillable: boolean;
  rateCardDate: string;
  metaPricedAt: string;
  recipientCountry?: string;
  rateMarket?: string;
  metaChargeUsd?: number;
}

/** The price attributes removed together when a price is taken back. */
export const PRICE_ATTRIBUTES = [
  'metaPricingModel',
  'metaCategory',
  'metaPricingType',
  'metaBillable',
  'rateCardDate',
  'metaPricedAt',
  'recipientCountry',
  'rateMarket',
  'metaChargeUsd',
] as const;

export interface MessageStatusStore {
  /** The message a provider id points at (read consistently); undefined when none does yet. */
  findByProviderId(providerMessageId: string): Promise<MessageRef | undefined>;
  /**
   * Every business message of the conversation up to the watermark (inclusive) that reached Meta
   * and lacks this status's time, or that the receipt `eventId` itself advanced. All pages.
   */
  messagesUpToWatermark(conversationKey: string, watermark: string, status: TrackedStatus, eventId: string): Promise<MessageRef[]>;
  /** The StatusChange item the normalizer kept for this receipt, if any (read consistently). */
  readStatusChange(conversationKey: string, providerMessageId: string, status: TrackedStatus): Promise<Record<string, unknown> | undefined>;
  /**
   * What a `sent` receipt needs to tell whether the sender recorded the send already: the provider
   * id, rank, receipt and price marks, and a campaign message's fields (read consistently).
   */
  readSendState(ref: MessageRef): Promise<Record<string, unknown> | undefined>;
  /**
   * Moves the status forward to this one and stamps its time (once), on a message that has its
   * provider id and is behind this status. The item after the write; undefined when refused.
   */
  advanceStatus(ref: MessageRef, change: StatusWrite): Promise<Record<string, unknown> | undefined>;
  /**
   * Stamps this status's time (once) on a message with its provider id already at or past it. The
   * item after the write; undefined when refused.
   */
  stampStatusTime(ref: MessageRef, change: StatusWrite): Promise<Record<string, unknown> | undefined>;
  /**
   * Writes the price attributes together, once, on a message with its provider id. The item after
   * the write (only its attributes when `withItem`); undefined when the message was priced already.
   */
  priceMessage(ref: MessageRef, price: PriceAttributes, withItem: boolean): Promise<Record<string, unknown> | undefined>;
  /** Takes the price written at `pricedAt` off the message; nothing when another price is on it. */
  unpriceMessage(ref: MessageRef, pricedAt: string): Promise<void>;
}

const campaignProjection = campaignMessageProjection();

/** An update answering the item after it, or undefined when its condition refused it. */
async function updated(db: DynamoDBDocumentClient, command: UpdateCommand): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await db.send(command);
    return out.Attributes ?? {};
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return undefined;
  }
}

/** Flat attributes for analysts; the first report wins, as Meta repeats the same pricing per status. */
function detailsOf(change: StatusWrite): { set: string[]; values: Record<string, unknown> } {
  return {
    set: [
      ...(change.errorCode !== undefined ? ['errorCode = if_not_exists(errorCode, :code)'] : []),
      ...(change.errorTitle !== undefined ? ['errorTitle = if_not_exists(errorTitle, :title)'] : []),
      ...(change.pricingCategory !== undefined ? ['pricingCategory = if_not_exists(pricingCategory, :pricing)'] : []),
      ...(change.billable !== undefined ? ['billable = if_not_exists(billable, :billable)'] : []),
    ],
    values: {
      ...(change.errorCode !== undefined ? { ':code': change.errorCode } : {}),
      ...(change.errorTitle !== undefined ? { ':title': change.errorTitle } : {}),
      ...(change.pricingCategory !== undefined ? { ':pricing': change.pricingCategory } : {}),
      ...(change.billable !== undefined ? { ':billable': change.billable } : {}),
    },
  };
}

export function createMessageStatusStore(db: DynamoDBDocumentClient, tableName: string): MessageStatusStore {
  const TableName = tableName;
  const keyOf = (ref: MessageRef) => ({ pk: conversationPk(ref.conversationKey), sk: ref.messageSk });

  return {
    async findByProviderId(providerMessageId) {
      const out = await db.send(new GetCommand({ TableName, Key: { pk: providerIdPk(providerMessageId), sk: PROVIDER_ID_SK }, ConsistentRead: true }));
      const item = out.Item as Partial<MessageRef> | undefined;
      return item?.conversationKey && item.messageSk ? { conversationKey: item.conversationKey, messageSk: item.messageSk } : undefined;
    },

    /**
     * `lsi1sk` is `MSG#<occurredAt>#<id>`, and `$` sorts right after `#`, so the range ends exactly
     * after the last message at the watermark's instant.
     */
    async messagesUpToWatermark(conversationKey, watermark, status, eventId) {
      const refs: MessageRef[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName,
            IndexName: 'byTime',
            KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
            // The index projects `direction`; the send state comes from the table and is checked below.
            FilterExpression: 'direction = :outbound',
            ExpressionAttributeNames: { '#at': STATUS_TIME_ATTRIBUTE[status] },
            ExpressionAttributeValues: {
              ':pk': conversationPk(conversationKey),
              ':from': 'MSG#',
              ':to': `MSG#${watermark}$`,
              ':outbound': 'outbound',
            },
            ProjectionExpression: 'sk, providerMessageId, #at, statusEventId',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        // Only messages that reached Meta (they have a provider id) and lack this status's time,
        // or that this very receipt advanced on a delivery that died before publishing.
        const atAttribute = STATUS_TIME_ATTRIBUTE[status];
        for (const item of out.Items ?? []) {
          if (item.providerMessageId === undefined) continue;
          if (item[atAttribute] !== undefined && item.statusEventId !== eventId) continue;
          refs.push({ conversationKey, messageSk: item.sk as string });
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return refs;
    },

    async readStatusChange(conversationKey, providerMessageId, status) {
      const out = await db.send(
        new GetCommand({ TableName, Key: { pk: conversationPk(conversationKey), sk: statusSk(providerMessageId, status) }, ConsistentRead: true }),
      );
      return out.Item;
    },

    async readSendState(ref) {
      const out = await db.send(
        new GetCommand({
          TableName,
          Key: keyOf(ref),
          // With a campaign message's fields: a `sent` finding its send recorded still counts it on the campaign.
          ProjectionExpression: `providerMessageId, statusRank, statusEventId, metaPricedAt, ${campaignProjection.ProjectionExpression}`,
          ExpressionAttributeNames: campaignProjection.ExpressionAttributeNames,
          ConsistentRead: true,
        }),
      );
      return out.Item;
    },

    advanceStatus(ref, change) {
      const details = detailsOf(change);
      return updated(
        db,
        new UpdateCommand({
          TableName,
          Key: keyOf(ref),
          UpdateExpression: [
            'SET #at = if_not_exists(#at, :at), #status = :status, statusRank = :rank, statusUpdatedAt = :at, statusEventId = :eventId',
            ...details.set,
          ].join(', '),
          // A business message is known once it has its provider id: the sender writes the pointer
          // just before it records the send, and a receipt in between waits for that (retried).
          ConditionExpression: 'attribute_exists(providerMessageId) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
          ExpressionAttributeNames: { '#at': STATUS_TIME_ATTRIBUTE[change.status], '#status': 'status' },
          ExpressionAttributeValues: {
            ':at': change.at,
            ':status': change.status,
            ':rank': STATUS_RANK[change.status],
            ':eventId': change.eventId,
            ...details.values,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
    },

    stampStatusTime(ref, change) {
      const details = detailsOf(change);
      return updated(
        db,
        new UpdateCommand({
          TableName,
          Key: keyOf(ref),
          UpdateExpression: ['SET #at = if_not_exists(#at, :at)', ...details.set].join(', '),
          ConditionExpression: 'attribute_exists(providerMessageId) AND statusRank >= :rank',
          ExpressionAttributeNames: { '#at': STATUS_TIME_ATTRIBUTE[change.status] },
          ExpressionAttributeValues: { ':at': change.at, ':rank': STATUS_RANK[change.status], ...details.values },
          ReturnValues: 'ALL_NEW',
        }),
      );
    },

    /**
     * Meta repeats the pricing on `sent` and `delivered`, may send either twice and in any order:
     * the first to arrive writes every price attribute together under
     * `attribute_not_exists(metaPricedAt)`, so a repeat changes nothing and the figures of one
     * receipt are never mixed with another's.
     */
    priceMessage(ref, price, withItem) {
      const values = price as unknown as Record<string, unknown>;
      const names = Object.keys(values).filter((n) => values[n] !== undefined);
      return updated(
        db,
        new UpdateCommand({
          TableName,
          Key: keyOf(ref),
          UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(providerMessageId) AND attribute_not_exists(#metaPricedAt)',
          ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, values[n]])),
          ...(withItem ? { ReturnValues: 'ALL_NEW' as const } : {}),
        }),
      );
    },

    async unpriceMessage(ref, pricedAt) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: keyOf(ref),
            UpdateExpression: `REMOVE ${PRICE_ATTRIBUTES.join(', ')}`,
            ConditionExpression: 'metaPricedAt = :at',
            ExpressionAttributeValues: { ':at': pricedAt },
          }),
        );
      } catch {
        // Another receipt's price is on it already, or the table refuses this too: the caller's
        // original error is what it reports (in the second case this one message stays priced but uncounted).
      }
    },
  };
}
