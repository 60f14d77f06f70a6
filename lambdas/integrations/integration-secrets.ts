import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { integrationAuthSchema, type IntegrationAuth } from '#lambdas/integrations/integration-model';
import { promiseCache } from '#lambdas/shared/promise-cache';

/**
 * One secret per integration, `<stack>/integrations/<business>/<integration id>`:
 *
 *   { "signingSecret": "<64 hex>", "auth": { the admin's credentials } }
 *
 * Why a secret of our own beside EventBridge's: the connection's secret is EventBridge's
 * (`events!connection/…`, written and read by its service-linked role) and is not read back by us.
 * But two calls are made by our own Lambdas, not by EventBridge — the contact lookup on a new
 * conversation (a CRM's search API, or the business's lookup URL) and the admin's test call — and
 * they need the same credentials. The webhook's signing secret lives here too: the dispatcher signs
 * every webhook body with it.
 */
export const credentialsSchema = z.object({
  signingSecret: z.string().regex(/^[0-9a-f]{64}$/),
  auth: integrationAuthSchema,
});
export type IntegrationCredentials = z.infer<typeof credentialsSchema>;

export function newSigningSecret(random: (n: number) => Buffer = randomBytes): string {
  return random(32).toString('hex');
}

export interface IntegrationSecrets {
  /** Creates the integration's secret (or writes a new version when it is already there); its ARN. */
  create(name: string, credentials: IntegrationCredentials, description: string): Promise<string>;
  put(secretId: string, credentials: IntegrationCredentials): Promise<void>;
  /** `undefined` when the secret is gone or unreadable as credentials. */
  read(secretId: string): Promise<IntegrationCredentials | undefined>;
  /** Scheduled for deletion (Secrets Manager's recovery window), so a mistaken delete can be undone for a week. */
  remove(secretId: string): Promise<void>;
}

const nameOf = (err: unknown) => (err as { name?: string } | null)?.name;

export function secretsManagerIntegrationSecrets(client: Pick<SecretsManagerClient, 'send'>, options: { cacheTtlMs?: number } = {}): IntegrationSecrets {
  const cache = promiseCache<IntegrationCredentials | undefined>({ ttlMs: options.cacheTtlMs ?? 300_000, maxEntries: 500 });

  async function load(secretId: string): Promise<IntegrationCredentials | undefined> {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      const parsed = credentialsSchema.safeParse(JSON.parse(out.SecretString ?? 'null'));
      return parsed.success ? parsed.data : undefined;
    } catch (err) {
      if (nameOf(err) === 'ResourceNotFoundException' || err instanceof SyntaxError) return undefined;
      throw err;
    }
  }

  return {
    async create(name, credentials, description) {
      try {
        const out = await client.send(new CreateSecretCommand({ Name: name, Description: description, SecretString: JSON.stringify(credentials) }));
        return out.ARN!;
      } catch (err) {
        if (nameOf(err) !== 'ResourceExistsException') throw err;
        const out = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify(credentials) }));
        return out.ARN!;
      }
    },
    async put(secretId, credentials) {
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(credentials) }));
    },
    read: (secretId) => cache.get(secretId, () => load(secretId)),
    async remove(secretId) {
      try {
        await client.send(new DeleteSecretCommand({ SecretId: secretId, RecoveryWindowInDays: 7 }));
      } catch (err) {
        if (nameOf(err) !== 'ResourceNotFoundException') throw err;
      }
    },
  };
}

export type { IntegrationAuth };
