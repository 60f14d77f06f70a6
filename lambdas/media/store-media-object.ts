import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

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
 * redelivered event is harmless.
 */
export async function storeMediaObject(s3: Pick<S3Client, 'send'>, object: MediaObject): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: object.bucket,
      Key: object.key,
      Body: object.bytes,
      ContentLength: object.bytes.length,
      ContentType: object.contentType,
      // Whatever the type, a browser opening the object saves it instead of rendering it.
      ContentDisposition: 'attachment',
      ChecksumSHA256: object.sha256.toString('base64'),
    }),
  );
}
