import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '#lambdas/adapters/dynamodb';
import { conversationPk, messageSk, PROVIDER_ID_SK, providerIdPk } from '#lambdas/conversation/table-keys';
import { STATUS_RANK } from '#lambdas/status/status-rank';

/**
 * The send state of a reply we send: its Message item (`pk CONV#<key>`, `sk MSG#<outboundId>`)
 * moving `pending → sending → sent | failed`, and the provider-id pointer (`pk PMID#<id>`,
 * `sk PMID`) that lets receipts find it. Every transition is conditional on the state it leaves,
 * which is what makes a send happen at most once however many deliveries race for it.
 */
export interface ReplyRef {
  conversationKey: string;
  outboundId: string;
}

/** The pointer from Meta's id for a message to the Message item it names. */
export interface ProviderIdPointer {
  providerMessageId: string;
  conversationKey: string;
  /** The Message item's sort key (`MSG#<id>`). */
  messageSk: string;
  expiresAt?: number;
}

/** What the reply watch reads of a reply: enough to tell a finished, pending or stale claim. */
export interface ReplyClaim {
  status?: string;
  channel?: string;
  sendingAt?: string;
}

/** What a receipt completing an interrupted send reads of the message. */
export interface SendRecord {
  direction?: string;
  status?: string;
  providerMessageId?: string;
  expiresAt?: number;
  releasedByWatchAt?: string;
}

export interface ReplyStore {
  /** The whole Message item, read consistently; undefined when there is none. */
  loadReply(ref: ReplyRef): Promise<Record<string, unknown> | undefined>;
  /** `pending → sending`, counting an attempt. False when it was not pending (someone else has it). */
  claimReply(ref: ReplyRef, at: string): Promise<boolean>;
  /** `sending → pending` when nothing was sent: the claim does not count as an attempt. */
  unclaimReply(ref: ReplyRef): Promise<void>;
  /** `sending → pending` after a retryable error, not to be sent again before `notBeforeMs`. */
  releaseForRetry(ref: ReplyRef, error: { at: string; code: number | null; notBeforeMs: number }): Promise<void>;
  /** `pending → failed` refused by the send rules. False when it was no longer pending. */
  refuseReply(ref: ReplyRef, refusal: { at: string; reason: string }): Promise<boolean>;
  /** `sending → failed` on Meta's refusal. */
  markFailed(ref: ReplyRef, failure: { at: string; code: number | null; title: string; classification: string; details?: string | undefined }): Promise<void>;
  /** The failure was published. */
  markFailureAnnounced(ref: ReplyRef, at: string): Promise<void>;
  /** Meta answered in a way that does not say whether it took the message; it stays `sending`. */
  noteOutcomeUnknown(ref: ReplyRef, at: string): Promise<void>;
  /** Points the provider id at the message, unconditionally (the sender's own answer from Meta). */
  pointProviderId(pointer: ProviderIdPointer): Promise<void>;
  /** `sending → sent` with Meta's id. False when a receipt recorded this very send first. */
  recordSent(ref: ReplyRef, sent: { providerMessageId: string; recipientWaId?: string | undefined; at: string }): Promise<boolean>;
  /** The reply's status, channel and claim time, read consistently. */
  readClaim(ref: ReplyRef): Promise<ReplyClaim | undefined>;
  /**
   * The watch hands a stale claim back to `pending`, only while that same claim stands and no
   * provider id was recorded. False when the claim moved on.
   */
  releaseStaleClaim(ref: ReplyRef, claimedAt: string, at: string): Promise<boolean>;
  /** What a receipt needs to tell whether it completes an interrupted send, read consistently. */
  readSendRecord(ref: ReplyRef): Promise<SendRecord | undefined>;
  /** Points the provider id at the message unless a pointer is there already. False when one was. */
  pointProviderIdOnce(pointer: ProviderIdPointer): Promise<boolean>;
  /**
   * `sending → sent` (or `pending` released by the watch → sent) from a receipt, with the time Meta
   * reports, while no provider id is recorded. False when the sender recorded it meanwhile.
   */
  recordSentFromReceipt(ref: ReplyRef, sent: { providerMessageId: string; at: string }): Promise<boolean>;
}

const STATUS_NAME = { '#status': 'status' } as const;

export function createReplyStore(db: DynamoDBDocumentClient, tableName: string): ReplyStore {
  const TableName = tableName;
  const keyOf = (ref: ReplyRef) => ({ pk: conversationPk(ref.conversationKey), sk: messageSk(ref.outboundId) });
  const pointerItem = (pointer: ProviderIdPointer) => ({
    pk: providerIdPk(pointer.providerMessageId),
    sk: PROVIDER_ID_SK,
    entity: 'ProviderMessageId',
    conversationKey: pointer.conversationKey,
    messageSk: pointer.messageSk,
    ...(pointer.expiresAt !== undefined ? { expiresAt: pointer.expiresAt } : {}),
  });

  return {
    async loadReply(ref) {
      const out = await db.send(new GetCommand({ TableName, Key: keyOf(ref), ConsistentRead: true }));
      return out.Item;
    },

    async claimReply(ref, at) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: keyOf(ref),
            UpdateExpression: 'SET #status = :sending, sendingAt = :at ADD attempts :one',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: STATUS_NAME,
            ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':at': at, ':one': 1 },
          }),
        ),
      );
    },

    async unclaimReply(ref) {
      await db.send(
        new UpdateCommand({
          TableName,
          Key: keyOf(ref),
          UpdateExpression: 'SET #status = :pending ADD attempts :minusOne',
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: STATUS_NAME,
          ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':minusOne': -1 },
        }),
      );
    },

    async releaseForRetry(ref, error) {
      await db.send(
        new UpdateCommand({
          TableName,
          Key: keyOf(ref),
          UpdateExpression: 'SET #status = :pending, lastErrorAt = :at, lastErrorCode = :code, retryNotBeforeMs = :notBefore',
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: STATUS_NAME,
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':sending': 'sending',
            ':at': error.at,
            ':code': error.code,
            ':notBefore': error.notBeforeMs,
          },
        }),
      );
    },

    async refuseReply(ref, refusal) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: keyOf(ref),
            UpdateExpression:
              'SET #status = :failed, statusRank = :rank, failedAt = :at, statusUpdatedAt = :at, failureReason = :reason, ' +
              'errorClassification = :classification',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: STATUS_NAME,
            ExpressionAttributeValues: {
              ':failed': 'failed',
              ':pending': 'pending',
              ':rank': STATUS_RANK.failed,
              ':at': refusal.at,
              ':reason': refusal.reason,
              ':classification': 'rule',
            },
          }),
        ),
      );
    },

    async markFailed(ref, failure) {
      await db.send(
        new UpdateCommand({
          TableName,
          Key: keyOf(ref),
          UpdateExpression:
            'SET #status = :failed, statusRank = :rank, failedAt = :at, statusUpdatedAt = :at, errorCode = :code, ' +
            'errorTitle = :title, errorClassification = :classification' +
            (failure.details ? ', errorDetails = :details' : ''),
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: STATUS_NAME,
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':sending': 'sending',
            ':rank': STATUS_RANK.failed,
            ':at': failure.at,
            ':code': failure.code,
            ':title': failure.title,
            ':classification': failure.classification,
            ...(failure.details ? { ':details': failure.details } : {}),
          },
        }),
      );
    },

    async markFailureAnnounced(ref, at) {
      await db.send(
        new UpdateCommand({
          TableName,
          Key: keyOf(ref),
          UpdateExpression: 'SET failureAnnouncedAt = :at',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    },

    async noteOutcomeUnknown(ref, at) {
      await db.send(
        new UpdateCommand({
          TableName,
          Key: keyOf(ref),
          UpdateExpression: 'SET sendOutcomeUnknownAt = :at',
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: STATUS_NAME,
          ExpressionAttributeValues: { ':at': at, ':sending': 'sending' },
        }),
      );
    },

    async pointProviderId(pointer) {
      await db.send(new PutCommand({ TableName, Item: pointerItem(pointer) }));
    },

    async recordSent(ref, sent) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: keyOf(ref),
            UpdateExpression:
              'SET #status = :sent, statusRank = :rank, providerMessageId = :pmid, sentAt = if_not_exists(sentAt, :at), ' +
              'statusUpdatedAt = :at' +
              (sent.recipientWaId ? ', recipientWaId = :waId' : ''),
            ConditionExpression: '#status = :sending',
            ExpressionAttributeNames: STATUS_NAME,
            ExpressionAttributeValues: {
              ':sent': 'sent',
              ':sending': 'sending',
              ':rank': STATUS_RANK.sent,
              ':pmid': sent.providerMessageId,
              ':at': sent.at,
              ...(sent.recipientWaId ? { ':waId': sent.recipientWaId } : {}),
            },
          }),
        ),
      );
    },

    async readClaim(ref) {
      const out = await db.send(
        new GetCommand({
          TableName,
          Key: keyOf(ref),
          ProjectionExpression: '#status, channel, sendingAt',
          ExpressionAttributeNames: STATUS_NAME,
          ConsistentRead: true,
        }),
      );
      return out.Item as ReplyClaim | undefined;
    },

    async releaseStaleClaim(ref, claimedAt, at) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: keyOf(ref),
            UpdateExpression: 'SET #status = :pending, sendOutcomeUnknownAt = :now, releasedByWatchAt = :now',
            ConditionExpression: '#status = :sending AND sendingAt = :claimedAt AND attribute_not_exists(providerMessageId)',
            ExpressionAttributeNames: STATUS_NAME,
            ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':claimedAt': claimedAt, ':now': at },
          }),
        ),
      );
    },

    async readSendRecord(ref) {
      const out = await db.send(
        new GetCommand({
          TableName,
          Key: keyOf(ref),
          ProjectionExpression: 'direction, #status, providerMessageId, expiresAt, releasedByWatchAt',
          ExpressionAttributeNames: STATUS_NAME,
          ConsistentRead: true,
        }),
      );
      return out.Item as SendRecord | undefined;
    },

    async pointProviderIdOnce(pointer) {
      return conditionalWrite(db.send(new PutCommand({ TableName, Item: pointerItem(pointer), ConditionExpression: 'attribute_not_exists(pk)' })));
    },

    async recordSentFromReceipt(ref, sent) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: keyOf(ref),
            UpdateExpression:
              'SET #status = :sent, statusRank = :rank, providerMessageId = :pmid, sentAt = if_not_exists(sentAt, :at), ' +
              'statusUpdatedAt = :at, sendRecordedFrom = :receipt',
            ConditionExpression:
              '(#status = :sending OR (#status = :pending AND attribute_exists(releasedByWatchAt))) AND attribute_not_exists(providerMessageId)',
            ExpressionAttributeNames: STATUS_NAME,
            ExpressionAttributeValues: {
              ':sent': 'sent',
              ':sending': 'sending',
              ':pending': 'pending',
              ':rank': STATUS_RANK.sent,
              ':pmid': sent.providerMessageId,
              ':at': sent.at,
              ':receipt': 'receipt',
            },
          }),
        ),
      );
    },
  };
}
