import { HttpRequest } from '@smithy/core/protocols';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { defaultProvider } from '#lambdas/adapters/lambda-credential-provider';
import type { ClaimCheckStore } from '#lambdas/ingress/enqueue-ingress-events';

/**
 * The webhook's claim-check store: one S3 PutObject, signed with the AWS SDK's own SigV4 signer
 * and sent with fetch. The webhook writes claim checks and never reads them, and the full S3
 * client (about 200 KB with its XML protocol and checksum code) would be most of its bundle and
 * cold start for a path that only bodies over the SQS size limit take. The normalizer reads the
 * object back with the S3 client (claim-check-store.ts).
 */
export interface S3PutTarget {
  region: string;
  /** `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` (local cloud): path-style URLs on that endpoint. */
  endpoint?: string | undefined;
  credentials: AwsCredentialIdentityProvider;
}

/** Attempts per object, as the SDK's standard retry mode (3), for 5xx, throttling and network errors. */
const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 100;

export class S3PutError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'S3PutError';
  }
}

export function s3PutTargetFromEnvironment(env: NodeJS.ProcessEnv = process.env): S3PutTarget {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set');
  return { region, endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL, credentials: defaultProvider() };
}

export function s3PutClaimCheckStore(bucket: string, target: () => S3PutTarget = s3PutTargetFromEnvironment): ClaimCheckStore {
  let resolved: { target: S3PutTarget; signer: SignatureV4 } | undefined;
  return {
    bucket,
    async put(key, body) {
      resolved ??= signerFor(target());
      await putObject(resolved, bucket, key, body);
    },
  };
}

function signerFor(target: S3PutTarget): { target: S3PutTarget; signer: SignatureV4 } {
  const signer = new SignatureV4({
    service: 's3',
    region: target.region,
    credentials: target.credentials,
    sha256: Hash.bind(null, 'sha256'),
    // S3 signs the path as sent (each segment encoded once), unlike other services.
    uriEscapePath: false,
    applyChecksum: true,
  });
  return { target, signer };
}

async function putObject(
  { target, signer }: { target: S3PutTarget; signer: SignatureV4 },
  bucket: string,
  key: string,
  body: string,
): Promise<void> {
  const url = objectUrl(target, bucket, key);
  for (let attempt = 1; ; attempt++) {
    try {
      await putOnce(signer, url, body);
      return;
    } catch (err) {
      const retryable = !(err instanceof S3PutError) || err.retryable;
      if (!retryable || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, BASE_DELAY_MS * 2 ** (attempt - 1) * Math.random()));
    }
  }
}

async function putOnce(signer: SignatureV4, url: URL, body: string): Promise<void> {
  const request = new HttpRequest({
    method: 'PUT',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    // fetch sends the same Host (with the port when it is not the default one).
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  });
  const signed = await signer.sign(request);
  const { host: _host, ...headers } = signed.headers;
  const response = await fetch(url, { method: 'PUT', headers, body });
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const text = await response.text().catch(() => '');
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? 'UnknownError';
  const retryable = response.status >= 500 || response.status === 429 || code === 'SlowDown' || code === 'RequestTimeout';
  throw new S3PutError(`S3 PutObject failed: ${response.status} ${code}`, retryable);
}

/** Virtual-hosted URL on AWS (path style for bucket names with dots); path style on a custom endpoint. */
function objectUrl(target: S3PutTarget, bucket: string, key: string): URL {
  const path = key.split('/').map(encodeSegment).join('/');
  if (target.endpoint) {
    const base = new URL(target.endpoint);
    const prefix = base.pathname.replace(/\/+$/, '');
    return new URL(`${base.protocol}//${base.host}${prefix}/${encodeSegment(bucket)}/${path}`);
  }
  if (bucket.includes('.')) return new URL(`https://s3.${target.region}.amazonaws.com/${bucket}/${path}`);
  return new URL(`https://${bucket}.s3.${target.region}.amazonaws.com/${path}`);
}

/** RFC 3986 encoding of one path segment, as S3 expects it (encodeURIComponent leaves !'()* as they are). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
