import type { S3Objects } from '#lambdas/adapters/s3-signed-object';

export interface MediaObject {
  bucket: string;
  key: string;
  bytes: Buffer;
  /** One of the storable types (stored-content-type.ts). */
  contentType: string;
  /** SHA-256 of the bytes: S3 checks the upload against it and keeps it with the object. */
  sha256: Buffer;
}

/**
 * One PutObject: files are at most 100 MB (WhatsApp documents), well within a single upload, and
 * the bucket encrypts them by default. Writing the same key twice stores the same bytes, so a
 * redelivered event is harmless. A failure (after the SDK's three attempts on 5xx and throttling)
 * is thrown, so the event is retried.
 */
export async function storeMediaObject(s3: Pick<S3Objects, 'put'>, object: MediaObject): Promise<void> {
  await s3.put(object.bucket, object.key, object.bytes, {
    contentType: object.contentType,
    // Whatever the type, a browser opening the object saves it instead of rendering it.
    contentDisposition: 'attachment',
    sha256: object.sha256,
  });
}
