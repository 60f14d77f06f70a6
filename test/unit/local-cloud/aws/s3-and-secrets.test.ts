import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, type EmulatorFixture } from '#test/unit/local-cloud/aws/emulator-fixture';

let f: EmulatorFixture;

beforeEach(async () => {
  f = await startFixture();
  f.emulator.s3.createBucket('claim-checks');
});

afterEach(async () => {
  await f.close();
});

describe('S3 claim checks', () => {
  it('round-trips an object with its ETag, length, type and metadata', async () => {
    const body = JSON.stringify({ entry: [{ id: '123', changes: [] }], text: 'olá 👋' });

    const put = await f.s3.send(
      new PutObjectCommand({
        Bucket: 'claim-checks',
        Key: 'ingress/2025/01/01/evt 1.json',
        Body: body,
        ContentType: 'application/json',
        Metadata: { source: 'webhook' },
      }),
    );
    const got = await f.s3.send(new GetObjectCommand({ Bucket: 'claim-checks', Key: 'ingress/2025/01/01/evt 1.json' }));

    const md5 = createHash('md5').update(body).digest('hex');
    expect(put.ETag).toBe(`"${md5}"`);
    expect(await got.Body?.transformToString('utf8')).toBe(body);
    expect(got.ETag).toBe(`"${md5}"`);
    expect(got.ContentLength).toBe(Buffer.byteLength(body));
    expect(got.ContentType).toBe('application/json');
    expect(got.Metadata).toEqual({ source: 'webhook' });
  });

  it('accepts a streamed upload (aws-chunked with a trailing checksum) and binary bodies', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 255]);
    await f.s3.send(
      new PutObjectCommand({ Bucket: 'claim-checks', Key: 'stream', Body: Readable.from([Buffer.from('hello '), Buffer.from('world')]), ContentLength: 11 }),
    );
    await f.s3.send(new PutObjectCommand({ Bucket: 'claim-checks', Key: 'binary', Body: bytes }));

    const text = await (await f.s3.send(new GetObjectCommand({ Bucket: 'claim-checks', Key: 'stream' }))).Body?.transformToString();
    const raw = await (await f.s3.send(new GetObjectCommand({ Bucket: 'claim-checks', Key: 'binary' }))).Body?.transformToByteArray();

    expect(text).toBe('hello world');
    expect(Buffer.from(raw ?? []).equals(bytes)).toBe(true);
    expect(f.emulator.s3.getObject('claim-checks', 'stream').checksums.crc32).toBeTruthy();
  });

  it('answers NoSuchKey for a missing object, NotFound for HEAD, and deletes idempotently', async () => {
    await f.s3.send(new PutObjectCommand({ Bucket: 'claim-checks', Key: 'k', Body: 'v' }));
    const head = await f.s3.send(new HeadObjectCommand({ Bucket: 'claim-checks', Key: 'k' }));
    expect(head.ContentLength).toBe(1);

    await f.s3.send(new DeleteObjectCommand({ Bucket: 'claim-checks', Key: 'k' }));
    await f.s3.send(new DeleteObjectCommand({ Bucket: 'claim-checks', Key: 'k' }));

    await expect(f.s3.send(new GetObjectCommand({ Bucket: 'claim-checks', Key: 'k' }))).rejects.toBeInstanceOf(NoSuchKey);
    await expect(f.s3.send(new HeadObjectCommand({ Bucket: 'claim-checks', Key: 'k' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(f.s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' }))).rejects.toBeInstanceOf(NoSuchBucket);
  });

  it('rejects an upload whose declared checksum does not match the body', async () => {
    await expect(f.s3.send(new PutObjectCommand({ Bucket: 'claim-checks', Key: 'k', Body: 'v', ChecksumCRC32: 'AAAAAA==' }))).rejects.toMatchObject({
      name: 'BadDigest',
    });
  });

  it('works with path-style and default addressing, creates buckets and lists by prefix', async () => {
    const pathStyle = new S3Client({ ...f.emulator.clientConfig(), forcePathStyle: true });
    await pathStyle.send(new CreateBucketCommand({ Bucket: 'exports' }));
    await pathStyle.send(new PutObjectCommand({ Bucket: 'exports', Key: 'a/1.json', Body: '1' }));
    await f.s3.send(new PutObjectCommand({ Bucket: 'exports', Key: 'a/2.json', Body: '2' }));
    await f.s3.send(new PutObjectCommand({ Bucket: 'exports', Key: 'b/3.json', Body: '3' }));

    const listed = await f.s3.send(new ListObjectsV2Command({ Bucket: 'exports', Prefix: 'a/' }));

    expect(listed.Contents?.map((o) => o.Key)).toEqual(['a/1.json', 'a/2.json']);
    pathStyle.destroy();
  });

  it('counts S3 calls by operation', async () => {
    f.emulator.calls.reset();
    await f.s3.send(new PutObjectCommand({ Bucket: 'claim-checks', Key: 'k', Body: 'v' }));
    await f.s3.send(new GetObjectCommand({ Bucket: 'claim-checks', Key: 'k' }));

    expect(f.emulator.calls.snapshot()).toEqual({ 's3.GetObject': 1, 's3.PutObject': 1 });
  });
});

describe('Secrets Manager', () => {
  it('returns a secret by name, by full ARN and by partial ARN', async () => {
    f.emulator.secrets.putSecret('omnichannel/dev/meta-app', { appSecret: 'shh', verifyToken: 'tok' });
    const arn = f.emulator.secrets.arnOf('omnichannel/dev/meta-app');

    const byName = await f.secrets.send(new GetSecretValueCommand({ SecretId: 'omnichannel/dev/meta-app' }));
    const byArn = await f.secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    const byPartialArn = await f.secrets.send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }));

    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:omnichannel\/dev\/meta-app-[A-Za-z0-9]{6}$/);
    for (const out of [byName, byArn, byPartialArn]) {
      expect(out).toMatchObject({ ARN: arn, Name: 'omnichannel/dev/meta-app', VersionStages: ['AWSCURRENT'] });
      expect(JSON.parse(out.SecretString ?? '{}')).toEqual({ appSecret: 'shh', verifyToken: 'tok' });
    }
    expect(byName.VersionId).toBe(byArn.VersionId);
    expect(byName.CreatedDate).toBeInstanceOf(Date);
  });

  it('raises ResourceNotFoundException for an unknown secret', async () => {
    await expect(f.secrets.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('keeps versions: a new value becomes AWSCURRENT and the old one AWSPREVIOUS', async () => {
    await f.secrets.send(new CreateSecretCommand({ Name: 'tokens', SecretString: '{"default":"t1"}' }));
    const first = await f.secrets.send(new GetSecretValueCommand({ SecretId: 'tokens' }));
    await f.secrets.send(new PutSecretValueCommand({ SecretId: 'tokens', SecretString: '{"default":"t2"}' }));

    const current = await f.secrets.send(new GetSecretValueCommand({ SecretId: 'tokens' }));
    const previous = await f.secrets.send(new GetSecretValueCommand({ SecretId: 'tokens', VersionStage: 'AWSPREVIOUS' }));

    expect(current.SecretString).toBe('{"default":"t2"}');
    expect(previous.SecretString).toBe('{"default":"t1"}');
    expect(previous.VersionId).toBe(first.VersionId);
  });
});
