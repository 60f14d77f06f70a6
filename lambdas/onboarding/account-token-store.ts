import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The per-owner token secret: `{ "accessToken": ... }`, with the two-step PIN onboarding set, if any. */
export interface AccountTokenSecret {
  accessToken: string;
  twoStepPin?: string;
}

export interface AccountTokenStore {
  /** Creates the secret, or adds a new current version when it exists (a re-authorised account). */
  put(secretName: string, value: AccountTokenSecret): Promise<string>;
  get(secretName: string): Promise<AccountTokenSecret | undefined>;
}

const isNamed = (err: unknown, name: string) => (err as { name?: string } | null)?.name === name;

/** Stores tokens in Secrets Manager; values are never logged or returned to callers. */
export function secretsManagerTokenStore(client: SecretsManagerClient): AccountTokenStore {
  return {
    async put(secretName, value) {
      const SecretString = JSON.stringify(value);
      try {
        const out = await client.send(
          new CreateSecretCommand({ Name: secretName, SecretString, Description: 'Meta access token of one onboarded business account' }),
        );
        return out.ARN ?? secretName;
      } catch (err) {
        if (!isNamed(err, 'ResourceExistsException')) throw err;
      }
      const out = await client.send(new PutSecretValueCommand({ SecretId: secretName, SecretString }));
      return out.ARN ?? secretName;
    },
    async get(secretName) {
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
        const parsed = JSON.parse(out.SecretString ?? '{}') as Partial<AccountTokenSecret>;
        return typeof parsed.accessToken === 'string' && parsed.accessToken !== ''
          ? { accessToken: parsed.accessToken, ...(parsed.twoStepPin ? { twoStepPin: parsed.twoStepPin } : {}) }
          : undefined;
      } catch (err) {
        if (isNamed(err, 'ResourceNotFoundException')) return undefined;
        throw err;
      }
    },
  };
}

/**
 * Reads a token secret and stores a new version of one that exists, never creating one: what the
 * Instagram token refresh may do (its role has no CreateSecret). The other fields of the secret
 * are kept as they were.
 */
export interface AccountTokenVersions {
  get(secretId: string): Promise<AccountTokenSecret | undefined>;
  putVersion(secretId: string, value: AccountTokenSecret): Promise<void>;
}

export function secretsManagerTokenVersions(client: SecretsManagerClient): AccountTokenVersions {
  const store = secretsManagerTokenStore(client);
  return {
    get: (secretId) => store.get(secretId),
    async putVersion(secretId, value) {
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(value) }));
    },
  };
}
