import {
  AwsRequestError,
  awsDomain,
  awsTargetFromEnvironment,
  sendSigned,
  sigV4Signer,
  withRetries,
  type AwsTarget,
} from '#lambdas/adapters/signed-aws-request';

/**
 * Whole-object PutObject and GetObject without the S3 client (signed-aws-request.ts). The
 * per-message functions only ever put or get one whole object (claim checks, media files), and
 * the S3 client — about 160 KB minified with its XML protocol, checksum and endpoint code — would
 * be a large part of their bundles and cold starts (issue 14). What the client does that this does
 * not: multipart uploads, streaming, and verifying the response checksum of a GET (the body still
 * comes over TLS, and a PUT's SHA-256 is checked by S3 when the caller gives one).
 */
export type S3Target = AwsTarget;

export interface S3PutOptions {
  contentType: string;
  contentDisposition?: string;
  /** The body's SHA-256: S3 checks the upload against it (and it signs the payload without hashing it again). */
  sha256?: Buffer;
}

export interface S3Objects {
  put(bucket: string, key: string, body: string | Buffer, options: S3PutOptions): Promise<void>;
  /** The object's bytes as UTF-8 text, as the SDK's `transformToString('utf8')`. */
  getText(bucket: string, key: string): Promise<string>;
}

export const s3TargetFromEnvironment = (env: NodeJS.ProcessEnv = process.env): S3Target => awsTargetFromEnvironment('AWS_ENDPOINT_URL_S3', env);

/**
 * PutObject and GetObject as separate functions, so that a bundle carries only the one it uses.
 * Target and signer are made on first use: a function reads its environment when it needs S3.
 */
export function signedS3Put(target: () => S3Target = s3TargetFromEnvironment): S3Objects['put'] {
  const send = s3Sender(target);
  return async (bucket, key, body, options) => {
    const headers: Record<string, string> = { 'content-type': options.contentType };
    if (options.contentDisposition) headers['content-disposition'] = options.contentDisposition;
    if (options.sha256) {
      headers['x-amz-checksum-sha256'] = options.sha256.toString('base64');
      headers['x-amz-content-sha256'] = options.sha256.toString('hex');
    }
    await withRetries(async () => (await send('PUT', bucket, key, headers, body)).body?.cancel());
  };
}

export function signedS3GetText(target: () => S3Target = s3TargetFromEnvironment): S3Objects['getText'] {
  const send = s3Sender(target);
  // Read inside the retries: a body cut off half way is fetched again.
  return (bucket, key) => withRetries(async () => Buffer.from(await (await send('GET', bucket, key, {})).arrayBuffer()).toString('utf8'));
}

export function signedS3Objects(target: () => S3Target = s3TargetFromEnvironment): S3Objects {
  return { put: signedS3Put(target), getText: signedS3GetText(target) };
}

function s3Sender(target: () => S3Target) {
  let resolved: { target: S3Target; signer: ReturnType<typeof sigV4Signer> } | undefined;
  return async (method: 'PUT' | 'GET', bucket: string, key: string, headers: Record<string, string>, body?: string | Buffer): Promise<Response> => {
    if (!resolved) {
      const t = target();
      // S3 signs the path as sent (each segment encoded once), unlike other services.
      resolved = { target: t, signer: sigV4Signer('s3', t, { uriEscapePath: false, applyChecksum: true }) };
    }
    const response = await sendSigned(resolved.signer, { method, url: objectUrl(resolved.target, bucket, key), headers, body });
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? 'UnknownError';
    const retryable = response.status >= 500 || response.status === 429 || code === 'SlowDown' || code === 'RequestTimeout';
    throw new AwsRequestError(`S3 ${method === 'PUT' ? 'PutObject' : 'GetObject'} failed: ${response.status} ${code}`, retryable, code);
  };
}

/** Virtual-hosted URL on AWS (path style for bucket names with dots); path style on a custom endpoint. */
function objectUrl(target: S3Target, bucket: string, key: string): URL {
  const path = key.split('/').map(encodeSegment).join('/');
  if (target.endpoint) {
    const base = new URL(target.endpoint);
    const prefix = base.pathname.replace(/\/+$/, '');
    return new URL(`${base.protocol}//${base.host}${prefix}/${encodeSegment(bucket)}/${path}`);
  }
  const domain = awsDomain(target.region);
  if (bucket.includes('.')) return new URL(`https://s3.${target.region}.${domain}/${bucket}/${path}`);
  return new URL(`https://${bucket}.s3.${target.region}.${domain}/${path}`);
}

/** RFC 3986 encoding of one path segment, as S3 expects it (encodeURIComponent leaves !'()* as they are). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
