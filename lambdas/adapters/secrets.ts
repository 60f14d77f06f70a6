import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/**
 * Reads a JSON secret and keeps it for five minutes, so a warm Lambda does not call Secrets
 * Manager per request yet picks up a rotated value soon after rotation.
 */
export async function readJsonSecret<T>(secretId: string, maxAgeSeconds = 300): Promise<T> {
  const value = await getSecret<T>(secretId, { transform: 'json', maxAge: maxAgeSeconds });
  if (value === undefined || value === null || typeof value !== 'object') {
    throw new Error(`Secret ${secretId} is empty or not a JSON object`);
  }
  return value as T;
}
