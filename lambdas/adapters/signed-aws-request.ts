import { HttpRequest } from '@smithy/core/protocols';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { defaultProvider } from '#lambdas/adapters/lambda-credential-provider';
import { RetryableError } from '#lambdas/shared/domain-error';

/**
 * One AWS request signed with the SDK's own SigV4 signer and sent with fetch, for the few calls a
 * per-message function makes without the service's SDK client (s3-signed-object.ts,
 * signed-json-secret.ts): a client brings its protocol, endpoint rules and error classes, tens of
 * kilobytes of bundle and cold start for one operation (issue 14).
 */
export interface AwsTarget {
  region: string;
  /** A custom endpoint (the local cloud's `AWS_ENDPOINT_URL_*`), else the service's public one. */
  endpoint?: string | undefined;
  credentials: AwsCredentialIdentityProvider;
}

/** A service error: `retryable` for throttling, 5xx and the like, as the SDK's standard retry mode. */
export class AwsRequestError extends RetryableError {
  readonly #retryable: boolean;

  constructor(
    message: string,
    retryable: boolean,
    readonly code: string,
  ) {
    super(message);
    this.#retryable = retryable;
    this.name = 'AwsRequestError';
  }

  /** Decided per failure, so it overrides the kind's default. */
  override get retryable(): boolean {
    return this.#retryable;
  }
}

/** The SDK's standard retry mode: three attempts, exponential backoff with full jitter. */
const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 100;

/** Region, endpoint (`AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`) and credentials as Lambda provides them. */
export function awsTargetFromEnvironment(endpointVariable: string, env: NodeJS.ProcessEnv = process.env): AwsTarget {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set');
  return { region, endpoint: env[endpointVariable] ?? env.AWS_ENDPOINT_URL, credentials: defaultProvider() };
}

/** The partition's domain of a region's public endpoints (China's regions have their own). */
export const awsDomain = (region: string): string => (region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com');

export function sigV4Signer(service: string, target: AwsTarget, options: { uriEscapePath?: boolean; applyChecksum?: boolean } = {}): SignatureV4 {
  return new SignatureV4({ service, region: target.region, credentials: target.credentials, sha256: Sha256, ...options });
}

/** Signs and sends; the response is the caller's to judge. */
export async function sendSigned(
  signer: SignatureV4,
  request: { method: string; url: URL; headers: Record<string, string>; body?: string | Buffer | undefined },
): Promise<Response> {
  const { method, url, body } = request;
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      // fetch sends the same Host (with the port when it is not the default one).
      headers: { host: url.host, ...request.headers },
      body,
    }),
  );
  const { host: _host, ...headers } = signed.headers;
  return fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** Retries what is not an AwsRequestError (network errors) and what is a retryable one. */
export async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const retryable = !(err instanceof AwsRequestError) || err.retryable;
      if (!retryable || n >= MAX_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, BASE_DELAY_MS * 2 ** (n - 1) * Math.random()));
    }
  }
}
