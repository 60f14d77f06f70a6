import { createHash } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedS3Objects, type S3Target } from '#lambdas/adapters/s3-signed-object';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';

const BUCKET = 'media-bucket';

/** The media consumer's PutObject (content type, disposition, SHA-256) without the S3 client. */
describe('signed S3 PutObject with a checksum', () => {
  let aws: AwsEmulator;
  const target = (): S3Target => ({ region: aws.region, endpoint: aws.endpoint, credentials: async () => aws.clientConfig().credentials });

  beforeAll(async () => {
    aws = await startAwsEmulator();
    aws.s3.createBucket(BUCKET);
  });
  afterAll(() => aws.close());
  afterEach(() => {
    aws.faults.clear();
    aws.calls.reset();
  });

  it('stores the bytes with their type and SHA-256, readable by the S3 client', async () => {
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(200_000, 7)]);
    const sha256 = createHash('sha256').update(bytes).digest();
    await signedS3Objects(target).put(BUCKET, 'media/1/2026/11/21/abc-0', bytes, { contentType: 'image/png', contentDisposition: 'attachment', sha256 });
    const stored = aws.s3.getObject(BUCKET, 'media/1/2026/11/21/abc-0');
    expect(stored.body.equals(bytes)).toBe(true);
    expect(stored.contentType).toBe('image/png');
    expect(stored.checksums).toEqual({ sha256: sha256.toString('base64') });
    const s3 = new S3Client({ ...aws.clientConfig(), forcePathStyle: true });
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/1/2026/11/21/abc-0', ChecksumMode: 'ENABLED' }));
      expect(Buffer.from(await out.Body!.transformToByteArray()).equals(bytes)).toBe(true);
      expect(out.ChecksumSHA256).toBe(sha256.toString('base64'));
    } finally {
      s3.destroy();
    }
  });

  it('is refused, not retried, when the bytes do not match their SHA-256', async () => {
    const put = signedS3Objects(target).put(BUCKET, 'media/bad', Buffer.from('some bytes'), {
      contentType: 'application/pdf',
      sha256: createHash('sha256').update('other bytes').digest(),
    });
    await expect(put).rejects.toMatchObject({ message: 'S3 PutObject failed: 400 BadDigest', retryable: false });
    expect(aws.calls.get('s3', 'PutObject')).toBe(1);
    expect(() => aws.s3.getObject(BUCKET, 'media/bad')).toThrow();
  });

  it('retries a server error up to three attempts, then throws it for the event to come back', async () => {
    aws.faults.failNext('s3.PutObject', { code: 'InternalError', statusCode: 500, count: 3 });
    const bytes = Buffer.from('x');
    const put = signedS3Objects(target).put(BUCKET, 'media/retried', bytes, { contentType: 'image/png', sha256: createHash('sha256').update(bytes).digest() });
    await expect(put).rejects.toMatchObject({ name: 'AwsRequestError', retryable: true, code: 'InternalError' });
    expect(aws.calls.get('s3', 'PutObject')).toBe(3);
  });
});
