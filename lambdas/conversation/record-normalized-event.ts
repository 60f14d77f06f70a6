import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, cancelledOnlyByConditions, isConditionalCheckFailed, rejectedAsInvalid } from '#lambdas/adapters/dynamodb';
import { MAX_DETAIL_BYTES, MAX_REASON_BYTES } from '#lambdas/conversation/bound-event-ids';
import type { MessageChangeEvent, MessageEvent, NormalizedEvent, NotificationEvent, QuarantineEvent, StatusEvent } from '#lambdas/conversation/model';
import {
  accountPk,
  changeSk,
  changeTimeSk,
  CONVERSATION_SK,
  conversationPk,
  conversationsByStatePk,
  conversationsByStateSk,
  expiresAt,
  messageSk,
  messageTimeSk,
  notificationSk,
  notificationTimeSk,
  PROVIDER_ID_SK,
  providerIdPk,
  QUARANTINE_SK,
  quarantineByDayPk,
  quarantineByDaySk,
  quarantinePk,
  statusSk,
} from '#lambdas/conversation/table-keys';
import { boundedId, boundedKey, rawIdAttribute, truncateUtf8, utf8Bytes } from '#lambdas/shared/bounded-id';

export interface RecordDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** How long operational items (PII included) are kept before DynamoDB's TTL removes them. */
  retentionDays: number;
  now?: () => Date;
}

/**
 * - `stored`: first time this provider event was seen; everything it implies was written.
 * - `duplicate`: already recorded by an earlier delivery; nothing was written again.
 * - `known_message`: a provider message id that this pipeline already holds under another item
 *   (the echo of a message we sent ourselves); nothing was written.
 */
export type RecordOutcome = 'stored' | 'duplicate' | 'known_message';

export interface RecordContext {
  receivedAt: string;
  /** Raw payload kept for quarantined events so nothing signed is lost. */
  rawPayload?: unknown;
  claimCheck?: { bucket: string; key: string };
}

/**
 * Quarantined payloads larger than this (in UTF-8 bytes) are cut; the claim-check copy (when any)
 * stays whole. With the item's other attributes (bounded ids, reason, detail, raw ids: under
 * 20 KB) the item stays below DynamoDB's 400 KB.
 */
const MAX_RAW_BYTES = 300_000;
/** Claim-check references are ours (the webhook wrote them), but they ride in the queue record. */
const MAX_REFERENCE_BYTES = 1_024;

export async function recordNormalizedEvent(event: NormalizedEvent, ctx: RecordContext, deps: RecordDeps): Promise<RecordOutcome> {
  switch (event.kind) {
    case 'message':
      return recordMessage(event, ctx, deps);
    case 'status':
      return putOnce(deps, statusItem(event, ctx, deps));
    case 'message_deleted':
    case 'message_edited':
      return recordMessageChange(event, ctx, deps);
    case 'notification':
      return putOnce(deps, notificationItem(event, ctx, deps));
    case 'quarantine':
      return recordQuarantine(event, ctx, deps);
  }
}

/**
 * A message lands once: one transaction puts the message item (on condition that it is new) and
 * counts it on the conversation, so a redelivery can neither store nor count it twice. Only a
 * business message (ours, echoed, or from the business app) gets a provider-id pointer: receipts
 * and echoes name business messages only, and the pointer is what tells the echo of our own send
 * (`known_message`). A customer's message is keyed by its provider id in its own conversation, so
 * an edit or deletion finds it without one.
 *
 * The conversation's last activity only moves forward; it rides in the same transaction when the
 * conversation, read first (a read costs an eighth of a write), shows it behind this message,
 * which is the rule for messages arriving in order. Otherwise, and on a redelivery, a separate
 * conditional write moves it (advanceLastActivity).
 */
async function recordMessage(event: MessageEvent, ctx: RecordContext, deps: RecordDeps): Promise<RecordOutcome> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const ttl = expiresAt(event.occurredAt, deps.retentionDays);
  const pk = conversationPk(event.conversationKey);
  const sk = messageSk(event.providerMessageId);
  const counter = event.origin === 'history' ? 'importedCount' : event.direction === 'inbound' ? 'inboundCount' : 'outboundCount';
  const withPointer = event.direction === 'outbound';
  const activity = lastActivityFields(event);
  const moveActivity = activity !== undefined && (await activityIsBehind(event, activity, deps));

  const transact = (withActivity: boolean) =>
    deps.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: deps.tableName,
              Item: messageItem(event, ctx, pk, sk, ttl, now),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...(withPointer
            ? [
                {
                  // Lets a receipt that only names the provider id find its message and conversation.
                  Put: {
                    TableName: deps.tableName,
                    Item: {
                      pk: providerIdPk(event.providerMessageId),
                      sk: PROVIDER_ID_SK,
                      entity: 'ProviderMessageId',
                      conversationKey: event.conversationKey,
                      messageSk: sk,
                      expiresAt: ttl,
                    },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ]
            : []),
          { Update: conversationCount(event, counter, now, ttl, deps, withActivity ? activity : undefined) },
        ],
      }),
    );

  try {
    try {
      await transact(moveActivity);
    } catch (err) {
      const codes = cancellationCodes(err);
      // Only the last-activity condition refused (another message moved it meanwhile): store without it.
      if (!moveActivity || !cancelledOnlyByConditions(err) || codes.slice(0, -1).some((c) => c !== 'None')) throw err;
      await transact(false);
      await advanceLastActivity(event, deps);
    }
  } catch (err) {
    if (!cancelledOnlyByConditions(err)) throw err;
    const [messageCode, providerIdCode] = cancellationCodes(err);
    if (withPointer && messageCode !== 'ConditionalCheckFailed' && providerIdCode === 'ConditionalCheckFailed') return 'known_message';
    // A redelivery: the first delivery may have died before moving the last activity, so try it again.
    await advanceLastActivity(event, deps);
    return 'duplicate';
  }
  if (activity !== undefined && !moveActivity) await advanceLastActivity(event, deps);
  return 'stored';
}

type ActivityFields = readonly ['lastInboundAt', 'lastInboundMessageId'] | readonly ['lastOutboundAt', 'lastOutboundMessageId'];

/** Which "last" attributes a message moves; imported history moves none. */
function lastActivityFields(event: MessageEvent): ActivityFields | undefined {
  if (event.origin === 'history') return undefined;
  return event.direction === 'inbound' ? (['lastInboundAt', 'lastInboundMessageId'] as const) : (['lastOutboundAt', 'lastOutboundMessageId'] as const);
}

async function activityIsBehind(event: MessageEvent, [atField]: ActivityFields, deps: RecordDeps): Promise<boolean> {
  const out = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: { pk: conversationPk(event.conversationKey), sk: CONVERSATION_SK },
      ProjectionExpression: '#at',
      ExpressionAttributeNames: { '#at': atField },
      ConsistentRead: true,
    }),
  );
  const at = out.Item?.[atField];
  return typeof at !== 'string' || at < event.occurredAt;
}

/** The conversation's side of storing a message: created if new, counted, and (when asked) its last activity moved. */
function conversationCount(event: MessageEvent, counter: string, now: string, ttl: number, deps: RecordDeps, activity: ActivityFields | undefined) {
  return {
    TableName: deps.tableName,
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
      ':now': now,
      ':ttl': ttl,
      ':one': 1,
      ...(event.customer.name ? { ':name': event.customer.name } : {}),
      ...(activity ? { ':messageId': event.providerMessageId } : {}),
    },
  };
}

/**
 * Meta does not promise order, so the "last inbound" time (which opens the 24-hour window)
 * only ever moves forward: an older message arriving late must not shrink the window.
 */
async function advanceLastActivity(event: MessageEvent, deps: RecordDeps): Promise<void> {
  const fields = lastActivityFields(event);
  if (!fields) return;
  const [atField, idField] = fields;
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { pk: conversationPk(event.conversationKey), sk: CONVERSATION_SK },
        UpdateExpression: `SET ${atField} = :at, ${idField} = :id`,
        ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(${atField}) OR ${atField} < :at)`,
        ExpressionAttributeValues: { ':at': event.occurredAt, ':id': event.providerMessageId },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

function messageItem(event: MessageEvent, ctx: RecordContext, pk: string, sk: string, ttl: number, storedAt: string) {
  const firstMedia = event.media?.[0];
  const firstError = event.errors?.[0];
  return {
    pk,
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
    receivedAt: ctx.receivedAt,
    // When the message became visible to the agent: its quiet period runs from here (agent/quiet-period.ts).
    storedAt,
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
    expiresAt: ttl,
  };
}

function statusItem(event: StatusEvent, ctx: RecordContext, deps: RecordDeps) {
  const messageRef = event.providerMessageId ?? `watermark:${event.watermark ?? event.occurredAt}`;
  const firstError = event.errors?.[0];
  return {
    pk: conversationPk(event.conversationKey),
    sk: statusSk(messageRef, event.status),
    // No time-index key: nothing reads receipts in time order, and each item in the index is one
    // more write unit per receipt (the index projects every attribute).
    entity: 'StatusChange',
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
    receivedAt: ctx.receivedAt,
    errorCode: firstError?.code,
    errorTitle: firstError?.title,
    errors: event.errors,
    pricingCategory: event.pricing?.category,
    pricingBillable: event.pricing?.billable,
    pricingModel: event.pricing?.pricingModel,
    pricingType: event.pricing?.type,
    billingConversationId: event.billingConversation?.id,
    billingConversationOrigin: event.billingConversation?.originType,
    expiresAt: expiresAt(event.occurredAt, deps.retentionDays),
  };
}

async function recordMessageChange(event: MessageChangeEvent, ctx: RecordContext, deps: RecordDeps): Promise<RecordOutcome> {
  const pk = conversationPk(event.conversationKey);
  const outcome = await putOnce(deps, {
    pk,
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
    receivedAt: ctx.receivedAt,
    expiresAt: expiresAt(event.occurredAt, deps.retentionDays),
  });
  await applyChangeToMessage(event, deps);
  return outcome;
}

/**
 * The change is applied to the message when we hold it; an edit only replaces an older edit. A
 * business message is found through its provider-id pointer; a customer's message, which has
 * none, under its provider id in the change's own conversation.
 */
async function applyChangeToMessage(event: MessageChangeEvent, deps: RecordDeps): Promise<void> {
  const ref = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: { pk: providerIdPk(event.providerMessageId), sk: PROVIDER_ID_SK },
      ConsistentRead: true,
    }),
  );
  const target = ref.Item as { conversationKey?: string; messageSk?: string } | undefined;
  const key =
    target?.conversationKey && target.messageSk
      ? { pk: conversationPk(target.conversationKey), sk: target.messageSk }
      : { pk: conversationPk(event.conversationKey), sk: messageSk(event.providerMessageId) };
  try {
    if (event.kind === 'message_deleted') {
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: key,
          UpdateExpression: 'SET deletedAt = if_not_exists(deletedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': event.occurredAt },
        }),
      );
    } else {
      const edit = event.editCount ?? 1;
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: key,
          UpdateExpression: 'SET originalText = if_not_exists(originalText, #text), #text = :text, editedAt = :at, editCount = :n',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(editCount) OR editCount < :n)',
          ExpressionAttributeNames: { '#text': 'text' },
          ExpressionAttributeValues: { ':text': event.text ?? null, ':at': event.occurredAt, ':n': edit },
        }),
      );
    }
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

function notificationItem(event: NotificationEvent, ctx: RecordContext, deps: RecordDeps) {
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
    receivedAt: ctx.receivedAt,
    expiresAt: expiresAt(event.occurredAt, deps.retentionDays),
  };
}

function quarantineItem(event: QuarantineEvent, ctx: RecordContext, deps: RecordDeps) {
  const raw = typeof ctx.rawPayload === 'string' ? ctx.rawPayload : (JSON.stringify(ctx.rawPayload ?? null) ?? 'null');
  const rawBytes = utf8Bytes(raw);
  const kept = rawBytes > MAX_RAW_BYTES ? truncateUtf8(raw, MAX_RAW_BYTES) : raw;
  const eventId = boundedKey(event.eventId);
  const conversationKey = boundedKey(event.conversationKey);
  // The event normally arrives bounded (bound-event-ids.ts); ids bounded only here are kept raw too.
  const rawIds = {
    ...(event.rawIds ?? {}),
    ...(eventId !== event.eventId ? { eventId: rawIdAttribute(event.eventId) } : {}),
    ...(conversationKey !== event.conversationKey ? { conversationKey: rawIdAttribute(event.conversationKey) } : {}),
  };
  return {
    pk: quarantinePk(eventId),
    sk: QUARANTINE_SK,
    gsi1pk: quarantineByDayPk(ctx.receivedAt),
    gsi1sk: quarantineByDaySk(ctx.receivedAt, eventId),
    entity: 'QuarantinedEvent',
    eventId,
    channel: event.channel,
    conversationKey,
    ...(Object.keys(rawIds).length > 0 ? { rawIds } : {}),
    reason: truncateUtf8(event.reason, MAX_REASON_BYTES),
    detail: event.detail === undefined ? undefined : truncateUtf8(event.detail, MAX_DETAIL_BYTES),
    receivedAt: truncateUtf8(ctx.receivedAt, 64),
    rawPayload: kept,
    rawTruncated: kept !== raw,
    rawBytes,
    claimCheckBucket: ctx.claimCheck ? truncateUtf8(ctx.claimCheck.bucket, MAX_REFERENCE_BYTES) : undefined,
    claimCheckKey: ctx.claimCheck ? truncateUtf8(ctx.claimCheck.key, MAX_REFERENCE_BYTES) : undefined,
    // Quarantined events wait for a person; keep them at least 90 days whatever the retention.
    expiresAt: expiresAt(Number.isNaN(Date.parse(ctx.receivedAt)) ? nowIso(deps) : ctx.receivedAt, Math.max(deps.retentionDays, 90)),
  };
}

/**
 * A quarantine item is the last place a signed event can go, so it must be storable: when
 * DynamoDB still refuses it (something not foreseen above), it is stored again without the raw
 * payload, its detail and raw ids, and says so; a claim-check copy, when there is one, still holds
 * the whole body.
 */
async function recordQuarantine(event: QuarantineEvent, ctx: RecordContext, deps: RecordDeps): Promise<RecordOutcome> {
  const item = quarantineItem(event, ctx, deps);
  try {
    return await putOnce(deps, item);
  } catch (err) {
    if (!rejectedAsInvalid(err)) throw err;
    const { rawPayload: _dropped, detail: _detail, rawIds: _rawIds, ...bare } = item as typeof item & { rawIds?: unknown };
    return putOnce(deps, { ...bare, rawPayload: '', rawTruncated: true, rawOmitted: 'store_rejected' });
  }
}

function nowIso(deps: RecordDeps): string {
  return (deps.now ?? (() => new Date()))().toISOString();
}

async function putOnce(deps: RecordDeps, item: Record<string, unknown>): Promise<RecordOutcome> {
  try {
    await deps.db.send(new PutCommand({ TableName: deps.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return 'stored';
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 'duplicate';
    throw err;
  }
}
