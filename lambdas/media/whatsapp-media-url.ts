import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
import { graphErrorFromResponse } from '#lambdas/adapters/graph-api-client';
import { MediaFailure } from '#lambdas/media/media-errors';

/** `GET /{version}/{media-id}`: where to download the file for the next five minutes, and what it is. */
export interface WhatsAppMediaUrl {
  url: string;
  mimeType?: string;
  /** As Meta gives it: hex in this answer, base64 in the webhook. */
  sha256?: string;
  fileSize?: number;
}

// The reference shows `file_size` as a string ("303833"); the live API has been seen answering a number.
const mediaUrlSchema = z.looseObject({
  url: z.url(),
  mime_type: z.optional(z.string().check(z.minLength(1))),
  sha256: z.optional(z.string().check(z.minLength(1))),
  file_size: z.optional(z.union([z.number().check(z.int(), z.nonnegative()), z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number))])),
});

export interface MediaUrlRequest {
  graphBaseUrl: string;
  graphVersion: string;
  mediaId: string;
  /** The business number the media was sent to: Meta refuses media of another number. */
  phoneNumberId: string;
  accessToken: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Asks the Graph API for the media's download URL. A Graph error Meta calls transient, a rate
 * limit, a 5xx, a time-out or an invalid token (fixed by an operator, then retried) is retryable;
 * an unknown or deleted media id (code 100) is permanent.
 */
export async function retrieveWhatsAppMediaUrl(request: MediaUrlRequest): Promise<WhatsAppMediaUrl> {
  const doFetch = request.fetch ?? fetch;
  const url = new URL(`${request.graphBaseUrl.replace(/\/+$/, '')}/${request.graphVersion}/${encodeURIComponent(request.mediaId)}`);
  url.searchParams.set('phone_number_id', request.phoneNumberId);
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, {
      headers: { authorization: `Bearer ${request.accessToken}`, accept: 'application/json' },
      // The look-up answers JSON; a redirect would carry the token to a host nobody checked.
      redirect: 'error',
      signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
    });
    text = await response.text();
  } catch (err) {
    throw new MediaFailure('retryable', 'network_error', `media URL look-up failed: ${(err as Error).name}`, undefined, { cause: err });
  }
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = graphErrorFromResponse(response.status, body);
    if (error.classification === 'permanent') {
      const reason = error.code === 100 ? 'media_not_found' : 'graph_error';
      throw new MediaFailure('permanent', reason, `media URL look-up refused (code ${error.code ?? 'none'})`, response.status, { cause: error });
    }
    throw new MediaFailure('retryable', 'graph_error', `media URL look-up failed (code ${error.code ?? 'none'})`, response.status, { cause: error });
  }
  const parsed = mediaUrlSchema.safeParse(body);
  if (!parsed.success) {
    throw new MediaFailure('retryable', 'media_url_invalid', 'media URL answer without a usable url', response.status);
  }
  return {
    url: parsed.data.url,
    ...(parsed.data.mime_type ? { mimeType: parsed.data.mime_type } : {}),
    ...(parsed.data.sha256 ? { sha256: parsed.data.sha256 } : {}),
    ...(parsed.data.file_size !== undefined ? { fileSize: parsed.data.file_size } : {}),
  };
}
