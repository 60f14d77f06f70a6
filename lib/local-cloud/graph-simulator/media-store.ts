import { createHash } from 'node:crypto';
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

/** Media the simulator can serve: registered by tests or created for customers' attachments. */
export class MediaStore {
  private readonly media = new Map<string, SimMedia>();

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
}

export function mediaDownloadUrl(baseUrl: string, media: SimMedia): string {
  const url = new URL(MEDIA_DOWNLOAD_PATH, baseUrl);
  url.searchParams.set('mid', media.id);
  url.searchParams.set('hash', media.sha256.slice(0, 24));
  return url.toString();
}

/** The body of `GET /{version}/{media-id}`, as the Cloud API answers it. */
export function mediaUrlObject(baseUrl: string, media: SimMedia) {
  return {
    url: mediaDownloadUrl(baseUrl, media),
    mime_type: media.mimeType,
    sha256: media.sha256,
    file_size: media.bytes.length,
    id: media.id,
    messaging_product: 'whatsapp' as const,
  };
}
