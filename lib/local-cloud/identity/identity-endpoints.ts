import type { LocalEndpoint } from '#lib/local-cloud/http-api';
import type { LocalIdentityProvider } from '#lib/local-cloud/identity/local-identity-provider';
import { parseTokenRequest, TokenRequestError } from '#lib/local-cloud/identity/token-request';

export const LOCAL_AUTH_PATHS = {
  token: '/_local/auth/token',
  jwks: '/_local/auth/jwks.json',
  openidConfiguration: '/.well-known/openid-configuration',
} as const;

/**
 * The local identity provider's endpoints on the API port, local cloud only: a token for any
 * business, subject and roles (what signing in to Cognito gives a person in AWS), the public keys
 * and a discovery document.
 */
export function identityEndpoints(provider: LocalIdentityProvider, apiUrl: () => string): LocalEndpoint[] {
  return [
    {
      method: 'POST',
      path: LOCAL_AUTH_PATHS.token,
      handle: async ({ body }) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body || 'null');
        } catch {
          return { status: 400, body: { message: 'The body is not JSON' } };
        }
        try {
          return { status: 200, body: await provider.issueToken(parseTokenRequest(parsed)) };
        } catch (err) {
          if (err instanceof TokenRequestError) return { status: 400, body: { message: err.message } };
          throw err;
        }
      },
    },
    { method: 'GET', path: LOCAL_AUTH_PATHS.jwks, handle: async () => ({ status: 200, body: provider.jwks() }) },
    {
      method: 'GET',
      path: LOCAL_AUTH_PATHS.openidConfiguration,
      handle: async () => ({ status: 200, body: provider.openidConfiguration(apiUrl()) }),
    },
  ];
}
