import { describe, expect, it } from 'vitest';
import { credentialHeaders } from '#lambdas/integrations/credential-headers';
import type { IntegrationFetch } from '#lambdas/integrations/guarded-fetch';
import { CredentialError } from '#lambdas/integrations/errors';

const TOKEN_URL = 'https://login.crm.example/oauth/token';

/** A token endpoint that issues a token only for the right client secret. */
function tokenEndpoint(secrets: Record<string, string>): { fetch: IntegrationFetch; calls: () => number } {
  let calls = 0;
  const fetch: IntegrationFetch = async (_url, init) => {
    calls++;
    const basic = Buffer.from(String(init?.headers?.authorization).replace(/^Basic /, ''), 'base64').toString('utf8');
    const [id, secret] = basic.split(':').map(decodeURIComponent);
    if (!id || secrets[id] !== secret) return new Response('{"error":"invalid_client"}', { status: 401 });
    return Response.json({ access_token: `token-of-${id}`, expires_in: 3600 });
  };
  return { fetch, calls: () => calls };
}

describe('credentialHeaders: OAuth client credentials', () => {
  it('fetches a token once and reuses it for the same credentials', async () => {
    const endpoint = tokenEndpoint({ acme: 'right' });
    const headers = credentialHeaders({ nowMs: () => 0 });
    const auth = { type: 'oauth_client_credentials' as const, tokenUrl: TOKEN_URL, clientId: 'acme', clientSecret: 'right' };
    expect(await headers.headersFor(auth, endpoint.fetch)).toEqual({ authorization: 'Bearer token-of-acme' });
    expect(await headers.headersFor(auth, endpoint.fetch)).toEqual({ authorization: 'Bearer token-of-acme' });
    expect(endpoint.calls()).toBe(1);
  });

  it('never hands a cached token to an integration that names the same client id without its secret', async () => {
    // Business A's integration gets a token; business B's, in the same warm Lambda, names A's token URL
    // and client id with a secret of its own and its own lookup URL: it must not be given A's token.
    const endpoint = tokenEndpoint({ acme: 'right' });
    const headers = credentialHeaders({ nowMs: () => 0 });
    await headers.headersFor({ type: 'oauth_client_credentials', tokenUrl: TOKEN_URL, clientId: 'acme', clientSecret: 'right' }, endpoint.fetch);
    await expect(
      headers.headersFor({ type: 'oauth_client_credentials', tokenUrl: TOKEN_URL, clientId: 'acme', clientSecret: 'guessed' }, endpoint.fetch),
    ).rejects.toBeInstanceOf(CredentialError);
    expect(endpoint.calls()).toBe(2);
  });
});
