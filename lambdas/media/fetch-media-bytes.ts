import { createHash } from 'node:crypto';
import { failureKindOfStatus, MediaFailure, MediaRefusal } from '#lambdas/media/media-errors';
import type { MediaUrlPolicy } from '#lambdas/media/media-url-policy';

export interface MediaDownload {
  bytes: Buffer;
  /** SHA-256 of the bytes. */
  sha256: Buffer;
  /** The response's content type, when it gave one. */
  contentType?: string;
}

export interface FetchMediaRequest {
  url: string;
  /** Checked on the first URL and on every redirect hop. */
  policy: MediaUrlPolicy;
  /**
   * WhatsApp media URLs need the Graph API token; Instagram and Messenger CDN URLs get none. It is
   * sent only to a hop the policy lets carry the token.
   */
  accessToken?: string;
  maxBytes: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Redirects followed before the download is refused. */
export const MAX_REDIRECTS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Statuses with which a WhatsApp media URL is refused once it has expired (or was never valid). */
const REFUSED_URL_STATUSES = new Set([401, 403, 404, 410]);

/**
 * Downloads a file into memory, hashing as it reads and stopping at `maxBytes`: a declared or
 * actual size above the cap is refused without reading the rest. The whole file is held so its
 * digest can be checked before anything is stored. Redirects are followed by hand so each hop is
 * checked against the policy before it is requested.
 */
export async function fetchMediaBytes(request: FetchMediaRequest): Promise<MediaDownload> {
  const { response, withToken } = await followAllowedRedirects(request);
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    if (withToken && REFUSED_URL_STATUSES.has(response.status)) {
      throw new MediaFailure('expired_url', 'download_refused', `media URL refused with HTTP ${response.status}`, response.status);
    }
    const kind = failureKindOfStatus(response.status);
    throw new MediaFailure(kind, kind === 'retryable' ? 'server_error' : 'download_refused', `download answered HTTP ${response.status}`, response.status);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > request.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new MediaFailure('permanent', 'too_large', `file of ${declared} bytes is above the ${request.maxBytes}-byte cap`);
  }
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body) {
        const buffer = Buffer.from(chunk);
        size += buffer.length;
        // Leaving the loop by a throw cancels the stream, so the rest is never read.
        if (size > request.maxBytes) {
          throw new MediaFailure('permanent', 'too_large', `file is above the ${request.maxBytes}-byte cap`);
        }
        hash.update(buffer);
        chunks.push(buffer);
      }
    }
  } catch (err) {
    if (err instanceof MediaFailure) throw err;
    throw new MediaFailure('retryable', 'network_error', `download broke off: ${(err as Error).name}`, undefined, { cause: err });
  }
  const contentType = response.headers.get('content-type') ?? undefined;
  return { bytes: Buffer.concat(chunks, size), sha256: hash.digest(), ...(contentType ? { contentType } : {}) };
}

/**
 * Requests the URL, and each redirect target the policy allows, up to MAX_REDIRECTS hops. A hop
 * the policy refuses is never requested: the download is refused for good.
 */
async function followAllowedRedirects(request: FetchMediaRequest): Promise<{ response: Response; withToken: boolean }> {
  const doFetch = request.fetch ?? fetch;
  const signal = AbortSignal.timeout(request.timeoutMs ?? 60_000);
  let target: string | URL = request.url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const verdict = request.policy.check(target);
    if (!verdict.allowed) throw new MediaRefusal(verdict.reason);
    const withToken = request.accessToken !== undefined && verdict.tokenAllowed;
    let response: Response;
    try {
      response = await doFetch(verdict.url, {
        headers: withToken ? { authorization: `Bearer ${request.accessToken}` } : {},
        redirect: 'manual',
        signal,
      });
    } catch (err) {
      throw new MediaFailure('retryable', 'network_error', `download failed: ${(err as Error).name}`, undefined, { cause: err });
    }
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (location === null) return { response, withToken };
    await response.body?.cancel().catch(() => undefined);
    try {
      target = new URL(location, verdict.url);
    } catch {
      throw new MediaRefusal('url_unreadable');
    }
  }
  throw new MediaRefusal('too_many_redirects');
}
