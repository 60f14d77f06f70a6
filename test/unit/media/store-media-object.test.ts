import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { storeMediaObject } from '#lambdas/media/store-media-object';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

describe('storeMediaObject', () => {
  it('puts the bytes under the key with their type, length and SHA-256 for S3 to check', async () => {
    s3.on(PutObjectCommand).resolves({});
    const bytes = Buffer.from('%PDF-1.4 a document');
    const sha256 = createHash('sha256').update(bytes).digest();
    await storeMediaObject(new S3Client({ region: 'us-east-1' }), { bucket: 'media-bucket', key: 'media/1/2026/11/21/abc-0', bytes, contentType: 'application/pdf', sha256 });
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      Bucket: 'media-bucket',
      Key: 'media/1/2026/11/21/abc-0',
      Body: bytes,
      ContentLength: bytes.length,
      ContentType: 'application/pdf',
      ContentDisposition: 'attachment',
      ChecksumSHA256: sha256.toString('base64'),
    });
  });

  it('lets an S3 failure through, so the event is retried', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    await expect(
      storeMediaObject(new S3Client({ region: 'us-east-1' }), { bucket: 'b', key: 'k', bytes: Buffer.from('x'), contentType: 'image/png', sha256: Buffer.alloc(32) }),
    ).rejects.toThrow('slow down');
  });
});
