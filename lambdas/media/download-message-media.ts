import type { S3Client } from '@aws-sdk/client-s3';
import type { Channel, MediaRef } from '#lambdas/conversation/model';
import type { AccessTokenFor } from '#lambdas/outbound/access-tokens';
import { fetchMediaBytes, type MediaDownload } from '#lambdas/media/fetch-media-bytes';
import { digestMatches } from '#lambdas/media/media-digest';
import { MediaFailure, type MediaFailureReason } from '#lambdas/media/media-errors';
import {
  readMediaMessage,
  recordMediaError,
  recordMediaStored,
  type MediaTableDeps,
  type StoredMediaObject,
} from '#lambdas/media/media-message-record';
import { mediaObjectKey } from '#lambdas/media/media-object-key';
import { isDownloadableType, mediaReceivedDetailSchema, type MediaReceivedDetail } from '#lambdas/media/media-received-detail';
import { maxMediaBytes } from '#lambdas/media/media-size-limits';
import { storeMediaObject } from '#lambdas/media/store-media-object';
import { retrieveWhatsAppMediaUrl } from '#lambdas/media/whatsapp-media-url';

/**
 * Receives of one event before it is parked in the dead-letter queue: the consumer queues'
 * `maxReceiveCount` (lib/queue-settings.ts CONSUMER_MAX_RECEIVE_COUNT; a test keeps them equal).
 * On the last one a failure is recorded on the message before the record goes to the DLQ.
 */
export const MEDIA_FINAL_RECEIVE = 8;

/** Download attempts within one delivery; an expired URL costs one (a new URL is asked for). */
export const ATTEMPTS_PER_DELIVERY = 3;

export interface MediaDeps extends MediaTableDeps {
  s3: Pick<S3Client, 'send'>;
  bucket: string;
  accessTokenFor: AccessTokenFor;
  graph: { baseUrl: string; version: string };
  fetch?: typeof fetch;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  finalReceive?: number;
}

export interface MediaDelivery {
  /** SQS ApproximateReceiveCount of the record carrying the event. */
  receiveCount: number;
}

export type MediaOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'skipped'; reason: 'not_media' | 'no_media_reference' | 'message_missing' }
  | { outcome: 'already_stored' }
  | { outcome: 'stored'; objects: number; bytes: number }
  | { outcome: 'failed'; reason: MediaFailureReason; httpStatus?: number };

/**
 * `message.received` for a message with attachments → the files in the media bucket and their
 * keys on the Message item.
 *
 * WhatsApp sends only a media id: the Graph API hands out a download URL valid for five minutes,
 * which needs the same token. The URL is asked for right before each download, and asked for
 * again when the download is refused (expired). Instagram and Messenger send a CDN URL, fetched
 * without a token. Each file is checked against the digest Meta gave and its documented size cap.
 *
 * Permanent failures are recorded on the message (`mediaError`) and the event is consumed.
 * Retryable ones throw so the record comes back; on the last receive the failure is recorded first.
 */
export async function downloadMessageMedia(
  detail: unknown,
  deps: MediaDeps,
  delivery: MediaDelivery = { receiveCount: 1 },
): Promise<MediaOutcome> {
  const parsed = mediaReceivedDetailSchema.safeParse(detail);
  if (!parsed.success) {
    return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  }
  const event = parsed.data;
  if (!isDownloadableType(event.type)) return { outcome: 'skipped', reason: 'not_media' };

  const message = await readMediaMessage(deps, event.conversationKey, event.providerMessageId);
  if (!message) return { outcome: 'skipped', reason: 'message_missing' };
  if (message.mediaStoredAt) return { outcome: 'already_stored' };
  const sources = message.media.filter((ref) => sourceOf(event.channel, ref) !== undefined);
  if (sources.length === 0) return { outcome: 'skipped', reason: 'no_media_reference' };

  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  try {
    const objects: StoredMediaObject[] = [];
    for (const [index, ref] of sources.entries()) {
      const download = await downloadWithRetries(event, ref, deps);
      const key = mediaObjectKey({ ...event, index });
      const contentType = download.contentType;
      await storeMediaObject(deps.s3, { bucket: deps.bucket, key, bytes: download.bytes, contentType, sha256: download.sha256 });
      objects.push({ key, size: download.bytes.length, contentType, sha256: download.sha256.toString('hex') });
    }
    const recorded = await recordMediaStored(deps, event.conversationKey, event.providerMessageId, objects, now());
    if (recorded === 'already_stored') return { outcome: 'already_stored' };
    return { outcome: 'stored', objects: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0) };
  } catch (err) {
    if (err instanceof MediaFailure && err.kind === 'permanent') {
      const failure = { reason: err.reason, ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}) };
      await recordMediaError(deps, event.conversationKey, event.providerMessageId, failure, now());
      return { outcome: 'failed', ...failure };
    }
    if (delivery.receiveCount >= (deps.finalReceive ?? MEDIA_FINAL_RECEIVE)) {
      const httpStatus = err instanceof MediaFailure ? err.httpStatus : undefined;
      await recordMediaError(
        deps,
        event.conversationKey,
        event.providerMessageId,
        { reason: 'retries_exhausted', ...(httpStatus !== undefined ? { httpStatus } : {}) },
        now(),
      );
    }
    throw err;
  }
}

type MediaSource = { kind: 'whatsapp_media_id'; mediaId: string } | { kind: 'url'; url: string; withToken: boolean };

/**
 * WhatsApp media are fetched through their id (the URL, when a webhook carries one, needs the token
 * too). Instagram and Messenger ids name stickers or posts, not downloadable media: their URL is used.
 */
function sourceOf(channel: Channel, ref: MediaRef): MediaSource | undefined {
  if (channel === 'whatsapp') {
    if (ref.id) return { kind: 'whatsapp_media_id', mediaId: ref.id };
    return ref.url ? { kind: 'url', url: ref.url, withToken: true } : undefined;
  }
  return ref.url ? { kind: 'url', url: ref.url, withToken: false } : undefined;
}

interface CheckedDownload extends MediaDownload {
  contentType: string;
}

async function downloadWithRetries(event: MediaReceivedDetail, ref: MediaRef, deps: MediaDeps): Promise<CheckedDownload> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last: MediaFailure | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS_PER_DELIVERY; attempt++) {
    try {
      return await downloadOnce(event, ref, deps);
    } catch (err) {
      if (!(err instanceof MediaFailure) || err.kind === 'permanent') throw err;
      last = err;
      // An expired URL is asked for again at once; Meta's and the network's hiccups get a short pause.
      if (err.kind === 'retryable' && attempt < ATTEMPTS_PER_DELIVERY) await sleep(250 * 2 ** (attempt - 1));
    }
  }
  // The same file failing its digest on every attempt is not a transfer error: Meta's copy differs.
  if (last?.reason === 'digest_mismatch') throw new MediaFailure('permanent', 'digest_mismatch', last.message);
  // URLs refused again and again although freshly issued: treated like any other retryable failure.
  throw last?.kind === 'expired_url' ? new MediaFailure('retryable', last.reason, last.message, last.httpStatus) : last;
}

async function downloadOnce(event: MediaReceivedDetail, ref: MediaRef, deps: MediaDeps): Promise<CheckedDownload> {
  const source = sourceOf(event.channel, ref);
  if (!source) throw new MediaFailure('permanent', 'media_not_found', 'no media id or URL');
  const maxBytes = maxMediaBytes(event.channel, event.type);
  let url: string;
  let token: string | undefined;
  let expectedDigest = ref.sha256;
  let mimeType = ref.mimeType;
  if (source.kind === 'whatsapp_media_id') {
    token = await deps.accessTokenFor(event.accountId);
    const located = await retrieveWhatsAppMediaUrl({
      graphBaseUrl: deps.graph.baseUrl,
      graphVersion: deps.graph.version,
      mediaId: source.mediaId,
      phoneNumberId: event.accountId,
      accessToken: token,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    if (located.fileSize !== undefined && located.fileSize > maxBytes) {
      throw new MediaFailure('permanent', 'too_large', `file of ${located.fileSize} bytes is above the ${maxBytes}-byte cap`);
    }
    url = located.url;
    expectedDigest = located.sha256 ?? expectedDigest;
    mimeType = located.mimeType ?? mimeType;
  } else {
    url = source.url;
    token = source.withToken ? await deps.accessTokenFor(event.accountId) : undefined;
  }
  if (!isFetchableUrl(url, deps.graph.baseUrl)) throw new MediaFailure('permanent', 'media_url_invalid', 'media URL is not https');

  const download = await fetchMediaBytes({ url, maxBytes, ...(token ? { accessToken: token } : {}), ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  if (expectedDigest && digestMatches(expectedDigest, download.sha256) === 'mismatch') {
    throw new MediaFailure('retryable', 'digest_mismatch', 'downloaded file does not match the digest Meta gave');
  }
  return { ...download, contentType: mimeType ?? download.contentType ?? 'application/octet-stream' };
}

/**
 * Meta's URLs are https. Plain http is only followed where the Graph API itself is reached over
 * http, which is the local cloud's simulator.
 */
function isFetchableUrl(url: string, graphBaseUrl: string): boolean {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'https:' || (protocol === 'http:' && graphBaseUrl.startsWith('http:'));
  } catch {
    return false;
  }
}
