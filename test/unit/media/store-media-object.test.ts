import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { S3Objects, S3PutOptions } from '#lambdas/adapters/s3-signed-object';
import { storeMediaObject } from '#lambdas/media/store-media-object';

/** A stand-in for the signed S3 PutObject (tested against the S3 emulator in test/unit/adapters/s3-signed-object.test.ts). */
function recordingS3(fail?: Error): Pick<S3Objects, 'put'> & { puts: Array<{ bucket: string; key: string; body: string | Buffer; options: S3PutOptions }> } {
  const puts: Array<{ bucket: string; key: string; body: string | Buffer; options: S3PutOptions }> = [];
  return {
    puts,
    async put(bucket, key, body, options) {
      if (fail) throw fail;
      puts.push({ bucket, key, body, options });
    },
  };
}

describe('storeMediaObject', () => {
  it('puts the bytes under the key with their type, as an attachment, and their SHA-256 for S3 to check', async () => {
    const s3 = recordingS3();
    const bytes = Buffer.from('%PDF-1.4 a document');
    const sha256 = createHash('sha256').update(bytes).digest();
    await storeMediaObject(s3, { bucket: 'media-bucket', key: 'media/1/2026/11/21/abc-0', bytes, contentType: 'application/pdf', sha256 });
    expect(s3.puts).toEqual([
      {
        bucket: 'media-bucket',
        key: 'media/1/2026/11/21/abc-0',
        body: bytes,
        options: { contentType: 'application/pdf', contentDisposition: 'attachment', sha256 },
      },
    ]);
  });

  it('lets an S3 failure through, so the event is retried', async () => {
    const s3 = recordingS3(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    await expect(storeMediaObject(s3, { bucket: 'b', key: 'k', bytes: Buffer.from('x'), contentType: 'image/png', sha256: Buffer.alloc(32) })).rejects.toThrow(
      'slow down',
    );
  });
});
