import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { crc32 } from 'node:zlib';
import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';
import { decodeAwsChunked } from '#lib/local-cloud/aws/s3/aws-chunked';
import { s3Errors, type S3Engine, type StoredObject } from '#lib/local-cloud/aws/s3/s3-engine';

export interface S3Request {
  method: string;
  bucket: string | undefined;
  key: string | undefined;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface S3Response {
  status: number;
  headers: Record<string, string | number>;
  body?: Buffer | string;
}

/**
 * Finds bucket and key in path style (`/bucket/key`) or virtual-host style (`bucket.localhost/key`).
 * The SDK uses path style against an IP endpoint such as 127.0.0.1, virtual-host style otherwise
 * unless `forcePathStyle` is set.
 */
export function locateBucketAndKey(hostHeader: string | undefined, rawPath: string, serverHost: string): { bucket?: string; key?: string } {
  const hostname = (hostHeader ?? '')
    .replace(/:\d+$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  const segments = rawPath.split('/');
  const decode = (s: string): string => decodeURIComponent(s);
  let virtualBucket: string | undefined;
  for (const suffix of ['.localhost', `.${serverHost.toLowerCase()}`]) {
    if (hostname.endsWith(suffix) && !isIP(hostname) && hostname.length > suffix.length) {
      virtualBucket = hostname.slice(0, -suffix.length);
      break;
    }
  }
  if (virtualBucket !== undefined) {
    const key = segments.slice(1).map(decode).join('/');
    return { bucket: virtualBucket, ...(key !== '' ? { key } : {}) };
  }
  const bucket = segments[1] ? decode(segments[1]) : undefined;
  const key = segments.slice(2).map(decode).join('/');
  return { ...(bucket ? { bucket } : {}), ...(key !== '' ? { key } : {}) };
}

/** Returns the S3 operation name for the call counter. */
export function s3OperationName(req: Pick<S3Request, 'method' | 'bucket' | 'key' | 'query' | 'headers'>): string {
  const { method, key } = req;
  if (!req.bucket) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (key === undefined) {
    if (method === 'PUT') return 'CreateBucket';
    if (method === 'HEAD') return 'HeadBucket';
    if (method === 'DELETE') return 'DeleteBucket';
    if (method === 'GET') return req.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    return 'Unknown';
  }
  if (method === 'PUT') return req.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'DELETE') return 'DeleteObject';
  return 'Unknown';
}

const CHECKSUM_HEADERS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;

export function handleS3(engine: S3Engine, req: S3Request): S3Response {
  const op = s3OperationName(req);
  const bucket = req.bucket as string;
  const key = req.key as string;
  switch (op) {
    case 'CreateBucket':
      engine.createBucket(bucket);
      return { status: 200, headers: { location: `/${bucket}` } };
    case 'HeadBucket':
      if (!engine.hasBucket(bucket)) throw s3Errors.noSuchBucket(bucket);
      return { status: 200, headers: {} };
    case 'DeleteBucket':
      engine.deleteBucket(bucket);
      return { status: 204, headers: {} };
    case 'ListObjectsV2':
      return listObjectsV2(engine, bucket, req.query);
    case 'PutObject':
      return putObject(engine, bucket, key, req);
    case 'GetObject':
    case 'HeadObject': {
      const obj = engine.getObject(bucket, key);
      const headers = objectHeaders(obj, req.headers['x-amz-checksum-mode'] === 'ENABLED');
      return op === 'GetObject' ? { status: 200, headers, body: obj.body } : { status: 200, headers };
    }
    case 'DeleteObject':
      engine.deleteObject(bucket, key);
      return { status: 204, headers: {} };
    default:
      throw new AwsServiceError('NotImplemented', `The emulator does not implement S3 ${op} (${req.method}).`, {
        statusCode: 501,
      });
  }
}

function putObject(engine: S3Engine, bucket: string, key: string, req: S3Request): S3Response {
  const encoding = String(req.headers['content-encoding'] ?? '');
  const sha = String(req.headers['x-amz-content-sha256'] ?? '');
  let body = req.body;
  let trailers: Record<string, string> = {};
  if (encoding.includes('aws-chunked') || sha.startsWith('STREAMING-')) {
    ({ body, trailers } = decodeAwsChunked(req.body));
  }
  const checksums: Record<string, string> = {};
  for (const algo of CHECKSUM_HEADERS) {
    const value = req.headers[`x-amz-checksum-${algo}`] ?? trailers[`x-amz-checksum-${algo}`];
    if (typeof value === 'string') checksums[algo] = value;
  }
  verifyChecksums(body, checksums, req.headers['content-md5']);
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined;
  const stored = engine.putObject(bucket, key, body, {
    ...(contentType !== undefined ? { contentType } : {}),
    metadata,
    checksums,
  });
  const headers: Record<string, string | number> = { etag: stored.etag };
  for (const [algo, value] of Object.entries(checksums)) headers[`x-amz-checksum-${algo}`] = value;
  return { status: 200, headers };
}

/** Rejects a body whose declared checksum does not match, as S3 does (BadDigest). */
function verifyChecksums(body: Buffer, checksums: Record<string, string>, contentMd5: string | string[] | undefined): void {
  if (checksums.crc32 !== undefined) {
    const expected = Buffer.alloc(4);
    expected.writeUInt32BE(crc32(body) >>> 0, 0);
    if (expected.toString('base64') !== checksums.crc32) throw s3Errors.badDigest('CRC32');
  }
  for (const algo of ['sha1', 'sha256'] as const) {
    const declared = checksums[algo];
    if (declared !== undefined && createHash(algo).update(body).digest('base64') !== declared) {
      throw s3Errors.badDigest(algo.toUpperCase());
    }
  }
  if (typeof contentMd5 === 'string' && createHash('md5').update(body).digest('base64') !== contentMd5) {
    throw s3Errors.badDigest('Content-MD5');
  }
}

function objectHeaders(obj: StoredObject, withChecksums: boolean): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': obj.contentType,
    'content-length': obj.body.length,
    etag: obj.etag,
    'last-modified': new Date(obj.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(obj.metadata)) headers[`x-amz-meta-${name}`] = value;
  if (withChecksums) {
    for (const [algo, value] of Object.entries(obj.checksums)) headers[`x-amz-checksum-${algo}`] = value;
  }
  return headers;
}

function listObjectsV2(engine: S3Engine, bucket: string, query: URLSearchParams): S3Response {
  const prefix = query.get('prefix') ?? '';
  const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000) || 1000, 1000);
  const after = query.get('continuation-token') ?? query.get('start-after') ?? '';
  const all = engine.listObjects(bucket, prefix).filter((o) => after === '' || o.key > after);
  const page = all.slice(0, maxKeys);
  const truncated = all.length > page.length;
  const contents = page
    .map(
      (o) =>
        `<Contents><Key>${xmlEscape(o.key)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified>` +
        `<ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const next = truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1]?.key ?? '')}</NextContinuationToken>` : '';
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
    `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`;
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xml };
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** S3's XML error document; HEAD answers carry no body, so the SDK names those by status (NotFound). */
export function writeS3Error(res: ServerResponse, err: AwsServiceError, method: string, requestId: string): void {
  const headers: Record<string, string | number> = {
    'x-amz-request-id': requestId,
    'x-amz-id-2': requestId,
  };
  if (method === 'HEAD') {
    res.writeHead(err.statusCode, headers);
    res.end();
    return;
  }
  const extra = Object.entries(err.extra)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(err.code)}</Code>` +
    `<Message>${xmlEscape(err.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(err.statusCode, { ...headers, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}
