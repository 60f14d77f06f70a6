import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_LINK_SECONDS } from '#lambdas/workspace/media-link';
import { s3MediaLinkSigner } from '#lambdas/workspace/s3-media-link-signer';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';
import { ManualClock } from '#lib/local-cloud/aws/clock';

/** The workspace's signed media links, followed like a browser follows them, against the AWS emulator's S3. */
let emulator: AwsEmulator;
let clock: ManualClock;
let s3: S3Client;

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  emulator = await startAwsEmulator({ clock });
  s3 = new S3Client({ ...emulator.clientConfig(), maxAttempts: 1 });
  await emulator.s3.createBucket('media-bucket');
  await s3.send(
    new PutObjectCommand({ Bucket: 'media-bucket', Key: 'media/100/2026/11/21/abc-0', Body: Buffer.from('jpeg bytes'), ContentType: 'image/jpeg' }),
  );
});
afterAll(async () => {
  s3?.destroy();
  await emulator?.close();
});

describe('presigned media links on the emulator', () => {
  it('a signed link reads the object without credentials until it expires', async () => {
    const url = await s3MediaLinkSigner('media-bucket', s3).signGet('media/100/2026/11/21/abc-0', MEDIA_LINK_SECONDS);
    expect(url).toContain('X-Amz-Signature=');
    expect(url).toContain(`X-Amz-Expires=${MEDIA_LINK_SECONDS}`);

    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
    expect(await ok.text()).toBe('jpeg bytes');

    await clock.advance((MEDIA_LINK_SECONDS + 5) * 1000);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
  });

  it('without a signature, or with a tampered one, nothing is read', async () => {
    const bare = `${emulator.clientConfig().endpoint}/media-bucket/media/100/2026/11/21/abc-0`;
    expect((await fetch(bare)).status).toBe(403);
    const url = await s3MediaLinkSigner('media-bucket', s3).signGet('media/100/2026/11/21/abc-0', 60);
    expect((await fetch(url.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=nothex'))).status).toBe(403);
  });
});
