import type { Integration, IntegrationAuth } from '#lambdas/integrations/integration-model';
import { sha256Hex } from '#lambdas/shared/hash';
import { CrmLookupError } from '#lambdas/integrations/errors';

/**
 * HTTP for the CRM lookups (hubspot-lookup.ts, salesforce-lookup.ts, zendesk-lookup.ts): the
 * credentials as request headers, an OAuth client-credentials token when the integration uses
 * one, and answers read with a size bound. Lookups read what the CRM answers, unlike deliveries,
 * so every answer is parsed as untrusted JSON.
 *
 * A lookup returns undefined when the CRM knows no such customer and throws CrmLookupError when it
 * cannot tell (refused credentials, an error status, an unreadable answer); the error names the
 * CRM and the status only: no customer data, no credentials.
 */

export type CrmLookupFailure = 'refused_credentials' | 'bad_status' | 'unreadable' | 'token_refused';

/** A CRM answer larger than this is not a search result we asked for. */
const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

/** The integration's base URL without a trailing slash (validated as a URL when the admin saved it). */
export const baseUrlOf = (integration: Pick<Integration, 'baseUrl'>): string => integration.baseUrl.replace(/\/+$/, '');

/**
 * Headers for one call. OAuth integrations pass the token they fetched (see `clientCredentialsToken`);
 * API key and basic credentials are sent as EventBridge's connection sends them.
 */
export function authorizationHeaders(credentials: IntegrationAuth, bearerToken?: string): Record<string, string> {
  switch (credentials.type) {
    case 'api_key':
      return { [credentials.headerName]: credentials.apiKey };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}` };
    case 'oauth_client_credentials':
      return bearerToken === undefined ? {} : { authorization: `Bearer ${bearerToken}` };
  }
}

export interface JsonAnswer {
  status: number;
  json: unknown;
}

/**
 * One request; the answer as JSON (undefined for an empty or non-JSON body). Redirects are not
 * followed (they could carry the credentials to another host).
 */
export async function requestJson(
  fetchImpl: typeof fetch,
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; signal: AbortSignal },
  kind: Integration['kind'],
): Promise<JsonAnswer> {
  const res = await fetchImpl(url, {
    method: init.method,
    redirect: 'manual',
    headers: { accept: 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: init.signal,
  });
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_ANSWER_BYTES) {
    await res.body?.cancel();
    throw new CrmLookupError(kind, 'unreadable', res.status);
  }
  const raw = await res.arrayBuffer();
  if (raw.byteLength > MAX_ANSWER_BYTES) throw new CrmLookupError(kind, 'unreadable', res.status);
  const text = Buffer.from(raw).toString('utf8');
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

/** The failure a non-2xx answer means. */
export function failureOf(kind: Integration['kind'], status: number): CrmLookupError {
  return new CrmLookupError(kind, status === 401 || status === 403 ? 'refused_credentials' : 'bad_status', status);
}

export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A string field of an untrusted record, cut to `max`; undefined when absent or not a string. */
export function stringField(record: Record<string, unknown>, key: string, max: number): string | undefined {
  const value = record[key];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim().slice(0, max);
  return trimmed === '' ? undefined : trimmed;
}

/** A CRM's tag list (array, or text split on `;`, `,` or spaces) as our tags: lower case, valid, at most 50. */
export function tagsFrom(value: unknown): string[] | undefined {
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[;,\s]+/) : [];
  const tags: string[] = [];
  for (const item of raw.slice(0, 200)) {
    if (typeof item !== 'string') continue;
    const tag = item.trim().toLowerCase();
    if (/^[\p{L}\p{N}][\p{L}\p{N}_\-:.]{0,39}$/u.test(tag) && !tags.includes(tag)) tags.push(tag);
    if (tags.length >= 50) break;
  }
  return tags.length > 0 ? tags : undefined;
}

/** A CRM's checkbox as a boolean: `true`, `"true"`, `1`, `"1"`, `"yes"`. */
export const truthy = (value: unknown): boolean =>
  value === true || value === 1 || (typeof value === 'string' && ['true', '1', 'yes'].includes(value.trim().toLowerCase()));

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Salesforce answers no `expires_in`; its sessions last at least 15 minutes, so a token is reused for 10. */
const DEFAULT_TOKEN_TTL_MS = 10 * 60_000;
const tokenCache = new Map<string, CachedToken>();
const tokenCacheKey = (c: Extract<IntegrationAuth, { type: 'oauth_client_credentials' }>) => sha256Hex(`${c.tokenUrl}\n${c.clientId}\n${c.clientSecret}`);

/**
 * An OAuth 2.0 client-credentials token (RFC 6749 §4.4) from the integration's token URL, reused
 * while fresh. The client credentials go in the form body, which Salesforce accepts as well as
 * HTTP Basic. `forget` drops it after the CRM refused it, so the next call fetches a new one.
 */
export const clientCredentialsToken = {
  async get(
    credentials: Extract<IntegrationAuth, { type: 'oauth_client_credentials' }>,
    fetchImpl: typeof fetch,
    signal: AbortSignal,
    kind: Integration['kind'],
    now: () => number = Date.now,
  ): Promise<string> {
    const cacheKey = tokenCacheKey(credentials);
    const cached = tokenCache.get(cacheKey);
    if (cached && cached.expiresAt > now()) return cached.token;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret });
    if (credentials.scope) form.set('scope', credentials.scope);
    const answer = await requestJson(
      fetchImpl,
      credentials.tokenUrl,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), signal },
      kind,
    );
    if (answer.status !== 200) throw new CrmLookupError(kind, answer.status >= 500 || answer.status === 429 ? 'bad_status' : 'token_refused', answer.status);
    const token = isRecord(answer.json) ? answer.json.access_token : undefined;
    if (typeof token !== 'string' || token === '' || token.length > 4_096 || /[\s]/.test(token)) throw new CrmLookupError(kind, 'unreadable', answer.status);
    const expiresIn = isRecord(answer.json) ? Number(answer.json.expires_in) : NaN;
    const ttl = Number.isFinite(expiresIn) && expiresIn > 120 ? (expiresIn - 60) * 1000 : DEFAULT_TOKEN_TTL_MS;
    tokenCache.set(cacheKey, { token, expiresAt: now() + ttl });
    return token;
  },
  forget(credentials: Extract<IntegrationAuth, { type: 'oauth_client_credentials' }>): void {
    tokenCache.delete(tokenCacheKey(credentials));
  },
};
