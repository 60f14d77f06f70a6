/**
 * The AWS SDK's credential chain as it applies inside Lambda, swapped in for
 * `@aws-sdk/credential-provider-node` when the handlers are bundled (see lib/constructs/lambda-bundling.ts).
 *
 * Lambda hands every function its role's credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN, and environments that serve them from a container endpoint instead set
 * AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI. The full chain also carries SSO, profile files,
 * STS web identity and EC2 metadata (about 135 KB of every bundle and part of each cold start), none of
 * which a Lambda function ever uses. Clients cache and refresh what this returns themselves.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

type ProviderInit = Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0];

const CONTAINER_URI_VARIABLES = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];

export function defaultProvider(init: ProviderInit = {}): AwsCredentialIdentityProvider {
  const fromEnvironment = fromEnv(init);
  return async (properties) => {
    if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) return fromEnvironment(properties);
    if (CONTAINER_URI_VARIABLES.some((name) => process.env[name])) return fromHttp(init)(properties);
    throw new Error('No AWS credentials: neither AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY nor a container credentials URI is set');
  };
}

/** The same refresh rules as the SDK's own default provider. */
export const credentialsWillNeedRefresh = (credentials?: AwsCredentialIdentity): boolean => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
