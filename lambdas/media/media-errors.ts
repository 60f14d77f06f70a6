import type { UrlRefusalReason } from '#lambdas/media/media-url-policy';

/**
 * Why an attachment could not be stored. The kind decides what happens next:
 * - `retryable`: Meta or the network failed (5xx, 429, time-out, rate limit): try again later;
 * - `expired_url`: the download URL was refused, as it is five minutes after it was handed out:
 *   ask the Graph API for a new one and download again;
 * - `permanent`: Meta does not know the media, the file is too large, or its digest does not
 *   match: trying again cannot help, so the failure is recorded on the message.
 */
export type MediaFailureKind = 'retryable' | 'expired_url' | 'permanent';

/** Machine-readable reasons, recorded on the message as `mediaError`. */
export type MediaFailureReason =
  | 'media_not_found'
  | 'media_url_invalid'
  | 'download_refused'
  | 'too_large'
  | 'digest_mismatch'
  | 'graph_error'
  | 'network_error'
  | 'server_error'
  | 'retries_exhausted';

export class MediaFailure extends Error {
  override name = 'MediaFailure';
  constructor(
    readonly kind: MediaFailureKind,
    readonly reason: MediaFailureReason,
    message: string,
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An HTTP status from a download or the media URL look-up, as a failure kind. */
export function failureKindOfStatus(status: number): MediaFailureKind {
  return status >= 500 || status === 429 || status === 408 ? 'retryable' : 'permanent';
}

/**
 * Why an attachment is not downloaded at all: its source is not one the consumer may fetch. The
 * outcome is final (the same URL is refused on every delivery) and recorded on the message.
 */
export type MediaRefusalReason =
  | UrlRefusalReason
  /** A WhatsApp media object with a URL and no id: WhatsApp media are fetched by id only. */
  | 'whatsapp_media_without_id'
  /** A WhatsApp media id that is not a plain token of letters, digits, `_` and `-`. */
  | 'media_id_unreadable'
  /** A message whose attachments hold no file (a shared post, a link, a location). */
  | 'not_a_file'
  | 'too_many_redirects';

export class MediaRefusal extends Error {
  override name = 'MediaRefusal';
  constructor(readonly reason: MediaRefusalReason) {
    super(`media source refused: ${reason}`);
  }
}
