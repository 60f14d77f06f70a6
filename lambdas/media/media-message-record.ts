import type { MediaFailureReason, MediaRefusalReason } from '#lambdas/media/media-errors';
import type { MediaMessage, MediaRecordStore, StoredMediaObject } from '#lambdas/media/media-record-store';

export type { MediaMessage, StoredMediaObject };

/** Where the media records are kept (lambdas/media/media-record-store.ts). */
export interface MediaRecordDeps {
  mediaRecords: MediaRecordStore;
}

export async function readMediaMessage(deps: MediaRecordDeps, conversationKey: string, providerMessageId: string): Promise<MediaMessage | undefined> {
  return deps.mediaRecords.readMediaMessage(conversationKey, providerMessageId);
}

/**
 * Records where the attachments are, once: the condition makes a second delivery (or two running
 * at the same time) a no-op that reports `already_stored`. The first object's key, size and type
 * are also flat attributes for analysts; a failure recorded by an earlier delivery is cleared.
 */
export async function recordMediaStored(
  deps: MediaRecordDeps,
  conversationKey: string,
  providerMessageId: string,
  objects: readonly StoredMediaObject[],
  storedAt: string,
): Promise<'recorded' | 'already_stored'> {
  const recorded = await deps.mediaRecords.recordMediaStored(conversationKey, providerMessageId, objects, storedAt);
  return recorded ? 'recorded' : 'already_stored';
}

/**
 * Records why the attachments could not be stored (a reason code, never Meta's text), unless
 * another delivery stored them meanwhile. A later successful delivery clears it.
 */
export async function recordMediaError(
  deps: MediaRecordDeps,
  conversationKey: string,
  providerMessageId: string,
  failure: { reason: MediaFailureReason; httpStatus?: number },
  at: string,
): Promise<void> {
  await deps.mediaRecords.recordMediaOutcome(conversationKey, providerMessageId, 'failed', failure, at);
}

/**
 * Records that the attachments were not downloaded because their source is not allowed (or holds
 * no file). Final: the same message is refused on every delivery.
 */
export async function recordMediaRefused(
  deps: MediaRecordDeps,
  conversationKey: string,
  providerMessageId: string,
  reason: MediaRefusalReason,
  at: string,
): Promise<void> {
  await deps.mediaRecords.recordMediaOutcome(conversationKey, providerMessageId, 'refused', { reason }, at);
}
