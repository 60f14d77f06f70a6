import {
  AwsRequestError,
  awsDomain,
  awsTargetFromEnvironment,
  sendSigned,
  sigV4Signer,
  withRetries,
  type AwsTarget,
} from '#lambdas/adapters/signed-aws-request';
import { promiseCache } from '#lambdas/shared/promise-cache';

/**
 * The webhook's secret read: Secrets Manager's GetSecretValue as one JSON 1.1 request without the
 * Secrets Manager client and Powertools parameters (about 20 KB of the webhook's 250 KB budget,
 * issue 14; signed-aws-request.ts). Same behaviour as `readJsonSecret` (secrets.ts): the parsed
 * JSON object, kept `maxAgeSeconds` per instance (a failed read is not kept), three attempts on
 * throttling, 5xx and network errors. Endpoint: `AWS_ENDPOINT_URL_SECRETS_MANAGER` /
 * `AWS_ENDPOINT_URL` when set (the local cloud), else the region's public one (no FIPS or
 * dual-stack endpoint, which the SDK uses only when configured for them).
 */
export type SecretsTarget = AwsTarget;

const RETRYABLE_CODES = new Set(['ThrottlingException', 'InternalServiceError', 'RequestTimeout', 'TooManyRequestsException']);

export const secretsTargetFromEnvironment = (env: NodeJS.ProcessEnv = process.env): SecretsTarget =>
  awsTargetFromEnvironment('AWS_ENDPOINT_URL_SECRETS_MANAGER', env);

/** A reader of JSON-object secrets, kept `maxAgeSeconds` after each read (default five minutes, as `readJsonSecret`). */
export function signedJsonSecretReader<T>(options: { maxAgeSeconds?: number; target?: () => SecretsTarget } = {}): (secretId: string) => Promise<T> {
  const cache = promiseCache<T>({ ttlMs: (options.maxAgeSeconds ?? 300) * 1000, maxEntries: 20 });
  let resolved: { url: URL; signer: ReturnType<typeof sigV4Signer> } | undefined;
  return (secretId) =>
    cache.get(secretId, async () => {
      if (!resolved) {
        const target = (options.target ?? secretsTargetFromEnvironment)();
        const url = new URL(target.endpoint ?? `https://secretsmanager.${target.region}.${awsDomain(target.region)}/`);
        resolved = { url, signer: sigV4Signer('secretsmanager', target) };
      }
      const { url, signer } = resolved;
      const text = await withRetries(() => getSecretString(url, signer, secretId));
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error(`Secret ${secretId} is not JSON`);
      }
      if (value === null || typeof value !== 'object') throw new Error(`Secret ${secretId} is empty or not a JSON object`);
      return value as T;
    });
}

async function getSecretString(url: URL, signer: ReturnType<typeof sigV4Signer>, secretId: string): Promise<string> {
  const response = await sendSigned(signer, {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    body: JSON.stringify({ SecretId: secretId }),
  });
  const text = await response.text();
  const body = parseJson(text) as { __type?: unknown; SecretString?: unknown } | undefined;
  if (!response.ok) {
    // JSON protocol errors name their type in `__type` (possibly `namespace#Code`) or the x-amzn-errortype header.
    const type = String(body?.__type ?? response.headers.get('x-amzn-errortype') ?? 'UnknownError');
    const code = type.split('#').pop()!.split(':')[0]!.slice(0, 100);
    const retryable = response.status >= 500 || response.status === 429 || RETRYABLE_CODES.has(code);
    throw new AwsRequestError(`Secrets Manager GetSecretValue failed: ${response.status} ${code}`, retryable, code);
  }
  if (typeof body?.SecretString !== 'string') throw new AwsRequestError(`Secret ${secretId} has no SecretString`, false, 'NoSecretString');
  return body.SecretString;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
