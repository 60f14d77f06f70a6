import type { IntegrationAuth } from '#lambdas/integrations/integration-model';
import type { IntegrationFetch } from '#lambdas/integrations/guarded-fetch';
import { sha256Hex } from '#lambdas/shared/hash';
import { CredentialError } from '#lambdas/integrations/errors';

/**
 * The headers that authenticate our own calls to an integration's endpoint (test calls, lookups),
 * the way EventBridge's connection authenticates deliveries: the API key header, Basic auth, or a
 * bearer token from the OAuth client-credentials grant (client id and secret in Basic auth,
 * `grant_type=client_credentials` and the scope in the form body). Tokens are kept until a minute
 * before they expire.
 */
export interface CredentialHeaders {
  headersFor(auth: IntegrationAuth, fetch: IntegrationFetch, signal?: AbortSignal): Promise<Record<string, string>>;
}

export function credentialHeaders(options: { nowMs?: () => number; maxTokens?: number } = {}): CredentialHeaders {
  const nowMs = options.nowMs ?? Date.now;
  const tokens = new Map<string, { token: string; until: number }>();

  async function bearer(auth: Extract<IntegrationAuth, { type: 'oauth_client_credentials' }>, fetch: IntegrationFetch, signal?: AbortSignal): Promise<string> {
    // The secret is part of the key: one Lambda serves every business, and a client id is no secret,
    // so another business naming the same token URL and client id must not be handed this token.
    const key = sha256Hex(`${auth.tokenUrl}\n${auth.clientId}\n${auth.clientSecret}\n${auth.scope ?? ''}`);
    const known = tokens.get(key);
    if (known && known.until > nowMs()) return known.token;
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(auth.scope ? { scope: auth.scope } : {}) });
    const res = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw new CredentialError(`token endpoint answered ${res.status}`);
    const json = (await res.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (typeof json?.access_token !== 'string' || json.access_token === '' || json.access_token.length > 8192)
      throw new CredentialError('token endpoint gave no access_token');
    const lifetime = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 300;
    tokens.set(key, { token: json.access_token, until: nowMs() + Math.max(30, lifetime - 60) * 1000 });
    if (tokens.size > (options.maxTokens ?? 200)) tokens.delete(tokens.keys().next().value as string);
    return json.access_token;
  }

  return {
    async headersFor(auth, fetch, signal) {
      switch (auth.type) {
        case 'api_key':
          return { [auth.headerName.toLowerCase()]: auth.apiKey };
        case 'basic':
          return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
        case 'oauth_client_credentials':
          return { authorization: `Bearer ${await bearer(auth, fetch, signal)}` };
      }
    },
  };
}
