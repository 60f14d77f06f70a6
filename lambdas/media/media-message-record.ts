import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import type { MediaRef } from '#lambdas/conversation/model';
import { conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import type { MediaFailureReason, MediaRefusalReason } from '#lambdas/media/media-errors';

export interface MediaTableDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
}

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

const keyOf = (conversationKey: string, providerMessageId: string) => ({
  pk: conversationPk(conversationKey),
  sk: messageSk(providerMessageId),
});

export async function readMediaMessage(deps: MediaTableDeps, conversationKey: string, providerMessageId: string): Promise<MediaMessage | undefined> {
  const out = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
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
}

/**
 * Records where the attachments are, once: the condition makes a second delivery (or two running
 * at the same time) a no-op that reports `already_stored`. The first object's key, size and type
 * are also flat attributes for analysts; a failure recorded by an earlier delivery is cleared.
 */
export async function recordMediaStored(
  deps: MediaTableDeps,
  conversationKey: string,
  providerMessageId: string,
  objects: readonly StoredMediaObject[],
  storedAt: string,
): Promise<'recorded' | 'already_stored'> {
  const [first] = objects;
  if (!first) throw new RangeError('no stored objects to record');
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
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
    );
    return 'recorded';
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 'already_stored';
    throw err;
  }
}

/**
 * Records why the attachments could not be stored (a reason code, never Meta's text), unless
 * another delivery stored them meanwhile. A later successful delivery clears it.
 */
export async function recordMediaError(
  deps: MediaTableDeps,
  conversationKey: string,
  providerMessageId: string,
  failure: { reason: MediaFailureReason; httpStatus?: number },
  at: string,
): Promise<void> {
  await recordMediaOutcome(deps, conversationKey, providerMessageId, 'failed', failure, at);
}

/**
 * Records that the attachments were not downloaded because their source is not allowed (or holds
 * no file). Final: the same message is refused on every delivery.
 */
export async function recordMediaRefused(
  deps: MediaTableDeps,
  conversationKey: string,
  providerMessageId: string,
  reason: MediaRefusalReason,
  at: string,
): Promise<void> {
  await recordMediaOutcome(deps, conversationKey, providerMessageId, 'refused', { reason }, at);
}

async function recordMediaOutcome(
  deps: MediaTableDeps,
  conversationKey: string,
  providerMessageId: string,
  status: 'failed' | 'refused',
  failure: { reason: MediaFailureReason | MediaRefusalReason; httpStatus?: number },
  at: string,
): Promise<void> {
  const withStatus = failure.httpStatus !== undefined;
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
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
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}
