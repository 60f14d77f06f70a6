import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { newMediaId } from '#lib/local-cloud/graph-simulator/sim-ids';

export interface SimMedia {
  id: string;
  mimeType: string;
  bytes: Buffer;
  sha256: string;
}

export interface MediaRegistration {
  id?: string;
  mimeType: string;
  bytes: Uint8Array;
}

/** Path of the download URL, shaped like Meta's lookaside URLs so it reads familiar in logs. */
export const MEDIA_DOWNLOAD_PATH = '/whatsapp_business/attachments/';

/** Meta's media URLs are valid for five minutes after `GET /{media-id}` hands them out. */
export const MEDIA_URL_LIFETIME_MS = 5 * 60 * 1000;

/** Why a download URL was refused. */
export type MediaDownloadRefusal = 'expired' | 'unknown';

/** Media the simulator can serve: registered by tests or created for customers' attachments. */
export class MediaStore {
  private readonly media = new Map<string, SimMedia>();
  /** Signs the expiry into each URL, so a URL cannot be stretched by editing its query. */
  private readonly urlKey = randomBytes(32);

  register(registration: MediaRegistration): SimMedia {
    const bytes = Buffer.from(registration.bytes);
    const media: SimMedia = {
      id: registration.id ?? newMediaId(),
      mimeType: registration.mimeType,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    this.media.set(media.id, media);
    return media;
  }

  get(id: string): SimMedia | undefined {
    return this.media.get(id);
  }

  reset(): void {
    this.media.clear();
  }

  /** A download URL valid until `issuedAtMs` plus five minutes. */
  downloadUrl(baseUrl: string, media: SimMedia, issuedAtMs: number): string {
    const url = new URL(MEDIA_DOWNLOAD_PATH, baseUrl);
    const expiresAt = String(Math.floor((issuedAtMs + MEDIA_URL_LIFETIME_MS) / 1000));
    url.searchParams.set('mid', media.id);
    url.searchParams.set('ext', expiresAt);
    url.searchParams.set('hash', this.signature(media.id, expiresAt));
    return url.toString();
  }

  /** The media a download URL names, or why it is refused (unsigned or edited URLs count as unknown). */
  resolveDownload(url: URL, nowMs: number): SimMedia | MediaDownloadRefusal {
    const id = url.searchParams.get('mid') ?? '';
    const expiresAt = url.searchParams.get('ext') ?? '';
    const hash = Buffer.from(url.searchParams.get('hash') ?? '');
    const expected = Buffer.from(this.signature(id, expiresAt));
    const media = this.media.get(id);
    if (!media || hash.length !== expected.length || !timingSafeEqual(hash, expected)) return 'unknown';
    return nowMs >= Number(expiresAt) * 1000 ? 'expired' : media;
  }

  private signature(id: string, expiresAt: string): string {
    return createHmac('sha256', this.urlKey).update(`${id}:${expiresAt}`).digest('base64url').slice(0, 32);
  }
}

/** The body of `GET /{version}/{media-id}`, as the Cloud API answers it. */
export function mediaUrlObject(store: MediaStore, baseUrl: string, media: SimMedia, nowMs: number) {
  return {
    url: store.downloadUrl(baseUrl, media, nowMs),
    mime_type: media.mimeType,
    sha256: media.sha256,
    file_size: media.bytes.length,
    id: media.id,
    messaging_product: 'whatsapp' as const,
  };
}
