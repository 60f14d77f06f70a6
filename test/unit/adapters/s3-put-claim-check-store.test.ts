import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { s3ClaimCheckReader } from '#lambdas/adapters/claim-check-store';
import { s3PutClaimCheckStore } from '#lambdas/adapters/s3-put-claim-check-store';
import type { S3Target } from '#lambdas/adapters/s3-signed-object';
import { AwsRequestError } from '#lambdas/adapters/signed-aws-request';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';

const BUCKET = 'claims-bucket';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };

describe('S3 claim checks without the S3 client (webhook puts, normalizer reads)', () => {
  let aws: AwsEmulator;
  const target = (): S3Target => ({ region: aws.region, endpoint: aws.endpoint, credentials: async () => CREDENTIALS });

  beforeAll(async () => {
    aws = await startAwsEmulator();
    aws.s3.createBucket(BUCKET);
  });
  afterAll(() => aws.close());
  afterEach(() => {
    aws.faults.clear();
    aws.calls.reset();
  });

  it('stores the body under the exact key, as JSON', async () => {
    const store = s3PutClaimCheckStore(BUCKET, target);
    const body = JSON.stringify({ eventId: 'e-1', text: 'héllo ✓'.repeat(1000) });
    const key = "claims/2026-12-07/a b+(1)!*'.json";
    await store.put(key, body);
    const stored = aws.s3.getObject(BUCKET, key);
    expect(stored.body.toString('utf8')).toBe(body);
    expect(stored.contentType).toBe('application/json');
    expect(store.bucket).toBe(BUCKET);
  });

  it('writes what the normalizer reads back, and what the S3 client reads too', async () => {
    const body = JSON.stringify({ eventId: 'e-3', payload: 'x'.repeat(300_000), text: 'olá ✓ 👍' });
    const key = 'claims/2026-12-07/round trip+(1).json';
    await s3PutClaimCheckStore(BUCKET, target).put(key, body);
    await expect(s3ClaimCheckReader(target)({ bucket: BUCKET, key })).resolves.toBe(body);
    const s3 = new S3Client({ ...aws.clientConfig(), forcePathStyle: true });
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      await expect(out.Body!.transformToString('utf8')).resolves.toBe(body);
    } finally {
      s3.destroy();
    }
  });

  it('reads back an object the S3 client wrote, byte for byte (a BOM and broken UTF-8 decoded as the SDK does)', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"é"}'), Buffer.from([0xff])]);
    aws.s3.putObject(BUCKET, 'claims/raw.json', bytes);
    await expect(s3ClaimCheckReader(target)({ bucket: BUCKET, key: 'claims/raw.json' })).resolves.toBe(bytes.toString('utf8'));
  });

  it('retries a throttled read, and does not retry a missing object', async () => {
    aws.s3.putObject(BUCKET, 'claims/slow.json', Buffer.from('{"b":2}'));
    aws.faults.failNext('s3.GetObject', { code: 'SlowDown', statusCode: 503, count: 2 });
    await expect(s3ClaimCheckReader(target)({ bucket: BUCKET, key: 'claims/slow.json' })).resolves.toBe('{"b":2}');
    expect(aws.calls.get('s3', 'GetObject')).toBe(3);
    const missing = s3ClaimCheckReader(target)({ bucket: BUCKET, key: 'claims/none.json' });
    await expect(missing).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: 'S3 GetObject failed: 404 NoSuchKey',
      retryable: false,
      code: 'NoSuchKey',
    });
    expect(aws.calls.get('s3', 'GetObject')).toBe(4);
  });

  it('retries a throttled or failed PUT, as the SDK would', async () => {
    aws.faults.failNext('s3.PutObject', { code: 'SlowDown', statusCode: 503, count: 2 });
    await s3PutClaimCheckStore(BUCKET, target).put('claims/retried.json', '{"a":1}');
    expect(aws.s3.getObject(BUCKET, 'claims/retried.json').body.toString()).toBe('{"a":1}');
    expect(aws.calls.get('s3', 'PutObject')).toBe(3);
  });

  it('gives up after three attempts of a server error', async () => {
    aws.faults.failNext('s3.PutObject', { code: 'InternalError', statusCode: 500, count: 3 });
    await expect(s3PutClaimCheckStore(BUCKET, target).put('claims/lost.json', '{}')).rejects.toThrow('S3 PutObject failed: 500 InternalError');
    expect(aws.calls.get('s3', 'PutObject')).toBe(3);
  });

  it('does not retry a refusal (final error), and names its S3 code', async () => {
    aws.faults.failNext('s3.PutObject', { code: 'AccessDenied', statusCode: 403 });
    const put = s3PutClaimCheckStore(BUCKET, target).put('claims/denied.json', '{}');
    await expect(put).rejects.toBeInstanceOf(AwsRequestError);
    await expect(put).rejects.toMatchObject({ message: 'S3 PutObject failed: 403 AccessDenied', retryable: false });
    expect(aws.calls.get('s3', 'PutObject')).toBe(1);
  });

  it('fails when the bucket does not exist', async () => {
    await expect(s3PutClaimCheckStore('no-such-bucket', target).put('k.json', '{}')).rejects.toThrow('S3 PutObject failed: 404 NoSuchBucket');
  });
});

describe('S3 claim-check store signature', () => {
  let server: Server;
  let endpoint: string;
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('signs the request with SigV4 for S3, as the service recomputes it', async () => {
    const store = s3PutClaimCheckStore(BUCKET, () => ({ region: 'eu-west-1', endpoint, credentials: async () => CREDENTIALS }));
    const body = '{"eventId":"e-2"}';
    await store.put('claims/2026-12-07/a b.json', body);
    const request = seen.at(-1)!;
    expect(request.method).toBe('PUT');
    expect(request.url).toBe(`/${BUCKET}/claims/2026-12-07/a%20b.json`);
    expect(request.body).toBe(body);
    expect(request.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(request.headers['x-amz-content-sha256']).toBe(sha256Hex(body));

    // The signature as S3 computes it (AWS SigV4, path not escaped twice).
    const authorization = String(request.headers.authorization);
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
    expect(match).not.toBeNull();
    const [, accessKeyId, day, region, signedHeaders, signature] = match!;
    expect(accessKeyId).toBe(CREDENTIALS.accessKeyId);
    expect(region).toBe('eu-west-1');
    expect(signedHeaders!.split(';')).toEqual(expect.arrayContaining(['host', 'content-type', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']));
    const canonical = [
      'PUT',
      request.url,
      '',
      ...signedHeaders!.split(';').map((h) => `${h}:${String(request.headers[h]).trim()}`),
      '',
      signedHeaders,
      sha256Hex(body),
    ].join('\n');
    const amzDate = String(request.headers['x-amz-date']);
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/s3/aws4_request`, sha256Hex(canonical)].join('\n');
    let key: Buffer = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day!);
    for (const part of [region!, 's3', 'aws4_request']) key = hmac(key, part);
    expect(signature).toBe(createHmac('sha256', key).update(stringToSign).digest('hex'));
  });
});

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function hmac(key: string | Buffer, value: string): Buffer {
  return createHmac('sha256', key).update(value).digest();
}
