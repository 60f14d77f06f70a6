import { createHash } from 'node:crypto';
import { type Clock, systemClock } from '#lib/local-cloud/aws/clock';
import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

export interface StoredObject {
  key: string;
  body: Buffer;
  /** Quoted MD5 hex of the body, as S3 reports a single-part upload's ETag. */
  etag: string;
  contentType: string;
  metadata: Record<string, string>;
  lastModified: number;
  /** Checksums the uploader sent (`crc32`, `sha256`...), returned when a reader asks for them. */
  checksums: Record<string, string>;
}

export const s3Errors = {
  noSuchBucket: (bucket: string) =>
    new AwsServiceError('NoSuchBucket', 'The specified bucket does not exist', { statusCode: 404, extra: { BucketName: bucket } }),
  noSuchKey: (key: string) => new AwsServiceError('NoSuchKey', 'The specified key does not exist.', { statusCode: 404, extra: { Key: key } }),
  bucketNotEmpty: (bucket: string) =>
    new AwsServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty', { statusCode: 409, extra: { BucketName: bucket } }),
  invalidBucketName: (bucket: string) =>
    new AwsServiceError('InvalidBucketName', 'The specified bucket is not valid.', { statusCode: 400, extra: { BucketName: bucket } }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new AwsServiceError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', {
      statusCode: 409,
      extra: { BucketName: bucket },
    }),
  badDigest: (what: string) => new AwsServiceError('BadDigest', `The ${what} you specified did not match the calculated checksum.`, { statusCode: 400 }),
  keyTooLong: () => new AwsServiceError('KeyTooLongError', 'Your key is too long', { statusCode: 400 }),
};

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Buckets of objects in memory: enough S3 for claim-check payloads and local exports. */
export class S3Engine {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  createBucket(bucket: string, options: { ignoreExisting?: boolean } = {}): void {
    if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) throw s3Errors.invalidBucketName(bucket);
    if (this.buckets.has(bucket)) {
      if (options.ignoreExisting) return;
      throw s3Errors.bucketAlreadyOwnedByYou(bucket);
    }
    this.buckets.set(bucket, new Map());
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  deleteBucket(bucket: string): void {
    const objects = this.bucket(bucket);
    if (objects.size > 0) throw s3Errors.bucketNotEmpty(bucket);
    this.buckets.delete(bucket);
  }

  putObject(
    bucket: string,
    key: string,
    body: Buffer | string,
    options: { contentType?: string; metadata?: Record<string, string>; checksums?: Record<string, string> } = {},
  ): StoredObject {
    const objects = this.bucket(bucket);
    if (Buffer.byteLength(key) > 1024) throw s3Errors.keyTooLong();
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const stored: StoredObject = {
      key,
      body: bytes,
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      contentType: options.contentType ?? 'application/octet-stream',
      metadata: { ...(options.metadata ?? {}) },
      lastModified: this.clock.now(),
      checksums: { ...(options.checksums ?? {}) },
    };
    objects.set(key, stored);
    return stored;
  }

  getObject(bucket: string, key: string): StoredObject {
    const obj = this.bucket(bucket).get(key);
    if (!obj) throw s3Errors.noSuchKey(key);
    return obj;
  }

  /** S3 answers a delete of a missing key with success. */
  deleteObject(bucket: string, key: string): void {
    this.bucket(bucket).delete(key);
  }

  listObjects(bucket: string, prefix = ''): StoredObject[] {
    return [...this.bucket(bucket).values()].filter((o) => o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private bucket(bucket: string): Map<string, StoredObject> {
    const objects = this.buckets.get(bucket);
    if (!objects) throw s3Errors.noSuchBucket(bucket);
    return objects;
  }
}
