import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '#lambdas/adapters/dynamodb';
import type { MediaRef } from '#lambdas/conversation/model';
import { conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import type { MediaFailureReason, MediaRefusalReason } from '#lambdas/media/media-errors';

/** What the media consumer reads of a Message item. */
export interface MediaMessage {
  media: MediaRef[];
  /** Set once every attachment of the message is stored. */
  mediaStoredAt?: string;
}

/** One stored attachment, as recorded on the message. */
export interface StoredMediaObject {
  key: string;
  size: number;
  contentType: string;
  sha256: string;
}

/**
 * Where a received message's attachments are, on its Message item (`pk CONV#<key>`,
 * `sk MSG#<providerMessageId>`): `mediaStatus` (`stored`, `failed`, `refused`), the stored objects
 * and, until they are stored, why they are not.
 */
export interface MediaRecordStore {
  /** The message's attachments and whether they are stored (read consistently); undefined when there is no message. */
  readMediaMessage(conversationKey: string, providerMessageId: string): Promise<MediaMessage | undefined>;
  /**
   * Records the stored objects on the message, once, clearing a recorded failure. False when they
   * were stored already (or there is no message).
   */
  recordMediaStored(conversationKey: string, providerMessageId: string, objects: readonly StoredMediaObject[], storedAt: string): Promise<boolean>;
  /** Records why the attachments are not stored, unless they are stored meanwhile (or there is no message). */
  recordMediaOutcome(
    conversationKey: string,
    providerMessageId: string,
    status: 'failed' | 'refused',
    failure: { reason: MediaFailureReason | MediaRefusalReason; httpStatus?: number },
    at: string,
  ): Promise<void>;
}

export function createMediaRecordStore(db: DynamoDBDocumentClient, tableName: string): MediaRecordStore {
  const TableName = tableName;
  const keyOf = (conversationKey: string, providerMessageId: string) => ({
    pk: conversationPk(conversationKey),
    sk: messageSk(providerMessageId),
  });

  return {
    async readMediaMessage(conversationKey, providerMessageId) {
      const out = await db.send(
        new GetCommand({
          TableName,
          Key: keyOf(conversationKey, providerMessageId),
          ProjectionExpression: 'media, mediaStoredAt',
          ConsistentRead: true,
        }),
      );
      if (!out.Item) return undefined;
      const media = Array.isArray(out.Item.media)
        ? (out.Item.media as unknown[]).filter((ref): ref is MediaRef => typeof ref === 'object' && ref !== null && !Array.isArray(ref))
        : [];
      return { media, ...(typeof out.Item.mediaStoredAt === 'string' ? { mediaStoredAt: out.Item.mediaStoredAt } : {}) };
    },

    /** The first object's key, size and type are also flat attributes for analysts. */
    recordMediaStored(conversationKey, providerMessageId, objects, storedAt) {
      const [first] = objects;
      if (!first) throw new RangeError('no stored objects to record');
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: keyOf(conversationKey, providerMessageId),
            UpdateExpression:
              'SET mediaStatus = :stored, mediaS3Key = :key, mediaSize = :size, mediaContentType = :type, mediaStoredAt = :at, mediaObjects = :objects ' +
              'REMOVE mediaError, mediaErrorAt, mediaErrorStatus',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(mediaStoredAt)',
            ExpressionAttributeValues: {
              ':key': first.key,
              ':size': first.size,
              ':type': first.contentType,
              ':at': storedAt,
              ':objects': objects,
              ':stored': 'stored',
            },
          }),
        ),
      );
    },

    async recordMediaOutcome(conversationKey, providerMessageId, status, failure, at) {
      const withStatus = failure.httpStatus !== undefined;
      await conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName,
            Key: keyOf(conversationKey, providerMessageId),
            UpdateExpression: `SET mediaStatus = :status, mediaError = :reason, mediaErrorAt = :at${withStatus ? ', mediaErrorStatus = :httpStatus' : ' REMOVE mediaErrorStatus'}`,
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(mediaStoredAt)',
            ExpressionAttributeValues: {
              ':status': status,
              ':reason': failure.reason,
              ':at': at,
              ...(withStatus ? { ':httpStatus': failure.httpStatus } : {}),
            },
          }),
        ),
      );
    },
  };
}
