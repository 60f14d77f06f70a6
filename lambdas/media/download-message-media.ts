import type { S3Objects } from '#lambdas/adapters/s3-signed-object';
import type { MediaRef } from '#lambdas/conversation/model';
import type { AccessTokenFor } from '#lambdas/outbound/access-tokens';
import { fetchMediaBytes, type MediaDownload } from '#lambdas/media/fetch-media-bytes';
import { digestMatches } from '#lambdas/media/media-digest';
import { MediaFailure, MediaRefusal, type MediaFailureReason, type MediaRefusalReason } from '#lambdas/media/media-errors';
import {
  readMediaMessage,
  recordMediaError,
  recordMediaRefused,
  recordMediaStored,
  type MediaRecordDeps,
  type StoredMediaObject,
} from '#lambdas/media/media-message-record';
import { mediaObjectKey } from '#lambdas/media/media-object-key';
import { isDownloadableType, mediaReceivedDetailSchema, type MediaReceivedDetail } from '#lambdas/media/media-received-detail';
import { maxMediaBytes } from '#lambdas/media/media-size-limits';
import { storeMediaObject } from '#lambdas/media/store-media-object';
import { storedContentType } from '#lambdas/media/stored-content-type';
import { mediaUrlPolicy, type MediaUrlPolicy } from '#lambdas/media/media-url-policy';
import { retrieveWhatsAppMediaUrl } from '#lambdas/media/whatsapp-media-url';

/**
 * Receives of one event before it is parked in the dead-letter queue: the consumer queues'
 * `maxReceiveCount` (lib/queue-settings.ts CONSUMER_MAX_RECEIVE_COUNT; a test keeps them equal).
 * On the last one a failure is recorded on the message before the record goes to the DLQ.
 */
export const MEDIA_FINAL_RECEIVE = 8;

/** Download attempts within one delivery; an expired URL costs one (a new URL is asked for). */
export const ATTEMPTS_PER_DELIVERY = 3;

export interface MediaDeps extends MediaRecordDeps {
  /** PutObject without the S3 client (s3-signed-object.ts). */
  s3: Pick<S3Objects, 'put'>;
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
  | { outcome: 'refused'; reason: MediaRefusalReason }
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
 * Only file attachments are downloaded (never shared posts, links, locations or cards), and only
 * from sources the URL policy allows (media-url-policy.ts): WhatsApp media by id through the
 * Graph API, Instagram and Messenger files from Meta's CDNs, every redirect hop checked again. A
 * source that is not allowed refuses the message's media for good (`mediaStatus: 'refused'`)
 * before anything is requested.
 *
 * Permanent failures are recorded on the message (`mediaError`) and the event is consumed.
 * Retryable ones throw so the record comes back; on the last receive the failure is recorded first.
 */
export async function downloadMessageMedia(detail: unknown, deps: MediaDeps, delivery: MediaDelivery = { receiveCount: 1 }): Promise<MediaOutcome> {
  const parsed = mediaReceivedDetailSchema.safeParse(detail);
  if (!parsed.success) {
    return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  }
  const event = parsed.data;
  if (!isDownloadableType(event.type)) return { outcome: 'skipped', reason: 'not_media' };

  const message = await readMediaMessage(deps, event.conversationKey, event.providerMessageId);
  if (!message) return { outcome: 'skipped', reason: 'message_missing' };
  if (message.mediaStoredAt) return { outcome: 'already_stored' };
  const policy = mediaUrlPolicy(deps.graph.baseUrl);
  const plan = planDownloads(event, message.media, policy);
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  if (plan.kind === 'refuse') {
    await recordMediaRefused(deps, event.conversationKey, event.providerMessageId, plan.reason, now());
    return { outcome: 'refused', reason: plan.reason };
  }
  if (plan.kind === 'nothing') return { outcome: 'skipped', reason: 'no_media_reference' };
  const sources = plan.sources;

  try {
    const objects: StoredMediaObject[] = [];
    for (const [index, source] of sources.entries()) {
      const download = await downloadWithRetries(event, source, deps, policy);
      const key = mediaObjectKey({ ...event, index });
      const contentType = download.contentType;
      await storeMediaObject(deps.s3, { bucket: deps.bucket, key, bytes: download.bytes, contentType, sha256: download.sha256 });
      objects.push({ key, size: download.bytes.length, contentType, sha256: download.sha256.toString('hex') });
    }
    const recorded = await recordMediaStored(deps, event.conversationKey, event.providerMessageId, objects, now());
    if (recorded === 'already_stored') return { outcome: 'already_stored' };
    return { outcome: 'stored', objects: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0) };
  } catch (err) {
    if (err instanceof MediaRefusal) {
      await recordMediaRefused(deps, event.conversationKey, event.providerMessageId, err.reason, now());
      return { outcome: 'refused', reason: err.reason };
    }
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

type MediaSource = { kind: 'whatsapp_media_id'; mediaId: string; ref: MediaRef } | { kind: 'cdn_url'; url: string; ref: MediaRef };

type DownloadPlan = { kind: 'download'; sources: MediaSource[] } | { kind: 'refuse'; reason: MediaRefusalReason } | { kind: 'nothing' };

/** Meta's media ids are digits; anything that could change the Graph API path is refused. */
const MEDIA_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * What to download of a message's media references, decided before any request. One reference
 * that names a file from a source not allowed refuses the whole message: it is not a customer's
 * honest attachment, and the other files are not worth a partial record.
 */
function planDownloads(event: MediaReceivedDetail, refs: readonly MediaRef[], policy: MediaUrlPolicy): DownloadPlan {
  const sources: MediaSource[] = [];
  let linksNotFiles = 0;
  for (const ref of refs) {
    const decision = sourceOf(event, ref, refs.length, policy);
    if (decision === 'not_a_file') linksNotFiles++;
    else if (decision === 'no_reference') continue;
    else if ('refused' in decision) return { kind: 'refuse', reason: decision.refused };
    else sources.push(decision);
  }
  if (sources.length > 0) return { kind: 'download', sources };
  return linksNotFiles > 0 ? { kind: 'refuse', reason: 'not_a_file' } : { kind: 'nothing' };
}

/**
 * WhatsApp media are fetched by id through the Graph API only: a URL in the webhook is never
 * followed, since the token would go wherever it points. Instagram and Messenger files are
 * fetched, without a token, from their URL when the policy allows it; their ids name stickers or
 * posts, not downloadable media.
 */
function sourceOf(
  event: MediaReceivedDetail,
  ref: MediaRef,
  refCount: number,
  policy: MediaUrlPolicy,
): MediaSource | { refused: MediaRefusalReason } | 'not_a_file' | 'no_reference' {
  const id = typeof ref.id === 'string' && ref.id !== '' ? ref.id : undefined;
  const url = typeof ref.url === 'string' && ref.url !== '' ? ref.url : undefined;
  if (id === undefined && url === undefined) return 'no_reference';
  if (event.channel === 'whatsapp') {
    if (id === undefined) return { refused: 'whatsapp_media_without_id' };
    if (!MEDIA_ID.test(id)) return { refused: 'media_id_unreadable' };
    return { kind: 'whatsapp_media_id', mediaId: id, ref };
  }
  // A reference stored before attachments carried their type is a file only when it is the
  // message's single attachment, whose type the message took.
  const attachmentType = ref.attachmentType ?? (refCount === 1 ? event.type : undefined);
  if (attachmentType === undefined || !isDownloadableType(attachmentType)) return 'not_a_file';
  if (url === undefined) return 'no_reference';
  const verdict = policy.check(url);
  if (!verdict.allowed) return { refused: verdict.reason };
  return { kind: 'cdn_url', url, ref };
}

interface CheckedDownload extends MediaDownload {
  contentType: string;
}

async function downloadWithRetries(event: MediaReceivedDetail, source: MediaSource, deps: MediaDeps, policy: MediaUrlPolicy): Promise<CheckedDownload> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last: MediaFailure | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS_PER_DELIVERY; attempt++) {
    try {
      return await downloadOnce(event, source, deps, policy);
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

async function downloadOnce(event: MediaReceivedDetail, source: MediaSource, deps: MediaDeps, policy: MediaUrlPolicy): Promise<CheckedDownload> {
  const maxBytes = maxMediaBytes(event.channel, event.type);
  let url: string;
  let token: string | undefined;
  let expectedDigest = source.ref.sha256;
  let mimeType = source.ref.mimeType;
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
    // Instagram and Messenger CDN URLs never get a token, whatever host they name.
    url = source.url;
  }

  const download = await fetchMediaBytes({
    url,
    policy,
    maxBytes,
    ...(token ? { accessToken: token } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  if (expectedDigest && digestMatches(expectedDigest, download.sha256) === 'mismatch') {
    throw new MediaFailure('retryable', 'digest_mismatch', 'downloaded file does not match the digest Meta gave');
  }
  return { ...download, contentType: storedContentType(mimeType, download.contentType) };
}
