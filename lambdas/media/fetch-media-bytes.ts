import { createHash } from 'node:crypto';
import { failureKindOfStatus, MediaFailure } from '#lambdas/media/media-errors';

export interface MediaDownload {
  bytes: Buffer;
  /** SHA-256 of the bytes. */
  sha256: Buffer;
  /** The response's content type, when it gave one. */
  contentType?: string;
}

export interface FetchMediaRequest {
  url: string;
  /** WhatsApp media URLs need the Graph API token; Instagram and Messenger CDN URLs get none. */
  accessToken?: string;
  maxBytes: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Statuses with which a WhatsApp media URL is refused once it has expired (or was never valid). */
const REFUSED_URL_STATUSES = new Set([401, 403, 404, 410]);

/**
 * Downloads a file into memory, hashing as it reads and stopping at `maxBytes`: a declared or
 * actual size above the cap is refused without reading the rest. The whole file is held so its
 * digest can be checked before anything is stored.
 */
export async function fetchMediaBytes(request: FetchMediaRequest): Promise<MediaDownload> {
  const doFetch = request.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(request.url, {
      headers: request.accessToken ? { authorization: `Bearer ${request.accessToken}` } : {},
      signal: AbortSignal.timeout(request.timeoutMs ?? 60_000),
    });
  } catch (err) {
    throw new MediaFailure('retryable', 'network_error', `download failed: ${(err as Error).name}`, undefined, { cause: err });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    if (request.accessToken && REFUSED_URL_STATUSES.has(response.status)) {
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
