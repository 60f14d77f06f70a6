import { z } from 'zod';
import { GraphApiError, graphErrorFromResponse } from '#lambdas/adapters/graph-api-client';

/**
 * The calls of the Instagram API with Instagram Login that onboarding and the token refresh make
 * (Meta's "Business Login for Instagram", "Access Token" and "Refresh Access Token" references):
 *
 *   POST api.instagram.com/oauth/access_token          code → short-lived token (1 hour) and user id
 *   GET  graph.instagram.com/access_token              ig_exchange_token → long-lived token (60 days)
 *   GET  graph.instagram.com/refresh_access_token      ig_refresh_token → a new long-lived token
 *   GET  graph.instagram.com/<v>/me                    the account's professional id and username
 *   POST graph.instagram.com/<v>/me/subscribed_apps    webhooks for the account
 *
 * Tokens travel in the Authorization header, except where Meta requires them in the query (the
 * exchange and the refresh), and in the form body of the code exchange. No URL is ever logged.
 */
export interface InstagramLoginApi {
  exchangeCode(input: { appId: string; appSecret: string; code: string; redirectUri: string }): Promise<ShortLivedToken>;
  exchangeForLongLived(input: { appSecret: string; shortLivedToken: string }): Promise<LongLivedToken>;
  refresh(longLivedToken: string): Promise<LongLivedToken>;
  me(token: string, fields: readonly string[]): Promise<InstagramProfile>;
  subscribe(token: string, fields: readonly string[]): Promise<void>;
  /** The fields the account is subscribed to for our app. */
  subscriptions(token: string): Promise<string[]>;
}

export interface ShortLivedToken {
  accessToken: string;
  /** The Instagram-scoped id of the app user, as the exchange returns it. */
  userId: string;
  /** What the person granted; empty when Meta did not say. */
  permissions: string[];
}

export interface LongLivedToken {
  accessToken: string;
  /** Seconds until it expires, as Meta said (about 60 days). */
  expiresInSeconds: number;
}

export interface InstagramProfile {
  /** The app-scoped id of the account. */
  id?: string;
  /** The Instagram professional account id: the one webhooks carry in `entry.id` and `recipient.id`. */
  userId?: string;
  username?: string;
}

export interface InstagramLoginApiOptions {
  /** e.g. https://graph.instagram.com (or the simulator's stand-in). */
  graphBaseUrl: string;
  /** e.g. https://api.instagram.com. */
  oauthBaseUrl: string;
  version: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Access tokens are opaque strings; anything far longer than Meta's is not one. */
const token = z.string().min(1).max(4096);
const numericId = z.union([z.string().regex(/^\d{1,30}$/), z.number().int().nonnegative()]).transform(String);

const shortLivedSchema = z.object({
  access_token: token,
  user_id: numericId,
  permissions: z.union([z.string().max(2000), z.array(z.string().max(200)).max(50)]).optional(),
});
const longLivedSchema = z.object({
  access_token: token,
  expires_in: z
    .number()
    .int()
    .positive()
    .max(400 * 24 * 3600)
    .optional(),
});
const profileSchema = z.object({
  id: numericId.optional(),
  user_id: numericId.optional(),
  username: z.string().max(100).optional(),
});
const subscriptionsSchema = z.object({
  data: z.array(z.object({ subscribed_fields: z.array(z.string().max(100)).max(100).optional() }).passthrough()).max(100),
});

/** When Meta leaves out `expires_in`, a long-lived token lives 60 days. */
export const LONG_LIVED_TOKEN_SECONDS = 60 * 24 * 3600;

export function createInstagramLoginApi(options: InstagramLoginApiOptions): InstagramLoginApi {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const graphBase = options.graphBaseUrl.replace(/\/+$/, '');
  const oauthBase = options.oauthBaseUrl.replace(/\/+$/, '');
  const versioned = (path: string) => `${graphBase}/${options.version}/${path}`;

  const call = async (url: URL, init: RequestInit): Promise<unknown> => {
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (err) {
      throw new GraphApiError(`Instagram API request failed: ${(err as Error).name}`, { network: true }, { cause: err });
    }
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) throw instagramErrorFromResponse(response.status, json);
    return json;
  };
  const bearer = (t: string) => ({ authorization: `Bearer ${t}`, accept: 'application/json' });

  return {
    async exchangeCode(input) {
      const form = new URLSearchParams({
        client_id: input.appId,
        client_secret: input.appSecret,
        grant_type: 'authorization_code',
        redirect_uri: input.redirectUri,
        code: input.code,
      });
      const out = await call(new URL(`${oauthBase}/oauth/access_token`), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      });
      // The reference shows the fields at the top level; the business-login guide wraps them in `data`.
      const first = Array.isArray((out as { data?: unknown } | undefined)?.data) ? (out as { data: unknown[] }).data[0] : out;
      const parsed = parse(shortLivedSchema, first, 'the code exchange');
      const permissions = parsed.permissions === undefined ? [] : Array.isArray(parsed.permissions) ? parsed.permissions : parsed.permissions.split(',');
      return { accessToken: parsed.access_token, userId: parsed.user_id, permissions: permissions.map((p) => p.trim()).filter(Boolean) };
    },
    async exchangeForLongLived(input) {
      const url = new URL(`${graphBase}/access_token`);
      url.searchParams.set('grant_type', 'ig_exchange_token');
      url.searchParams.set('client_secret', input.appSecret);
      url.searchParams.set('access_token', input.shortLivedToken);
      return longLived(await call(url, { method: 'GET', headers: { accept: 'application/json' } }), 'the long-lived token exchange');
    },
    async refresh(longLivedToken) {
      const url = new URL(`${graphBase}/refresh_access_token`);
      url.searchParams.set('grant_type', 'ig_refresh_token');
      url.searchParams.set('access_token', longLivedToken);
      return longLived(await call(url, { method: 'GET', headers: { accept: 'application/json' } }), 'the token refresh');
    },
    async me(accessToken, fields) {
      const url = new URL(versioned('me'));
      url.searchParams.set('fields', fields.join(','));
      const out = await call(url, { method: 'GET', headers: bearer(accessToken) });
      // The guide shows `/me` answering inside `data`; the node reference answers the fields directly.
      const first = Array.isArray((out as { data?: unknown } | undefined)?.data) ? (out as { data: unknown[] }).data[0] : out;
      const p = parse(profileSchema, first, 'the account profile');
      return { ...(p.id ? { id: p.id } : {}), ...(p.user_id ? { userId: p.user_id } : {}), ...(p.username ? { username: p.username } : {}) };
    },
    async subscribe(accessToken, fields) {
      const url = new URL(versioned('me/subscribed_apps'));
      url.searchParams.set('subscribed_fields', fields.join(','));
      const out = await call(url, { method: 'POST', headers: bearer(accessToken) });
      if ((out as { success?: unknown } | undefined)?.success !== true) {
        throw new GraphApiError('Meta did not confirm the Instagram webhook subscription', { httpStatus: 200 });
      }
    },
    async subscriptions(accessToken) {
      const out = await call(new URL(versioned('me/subscribed_apps')), { method: 'GET', headers: bearer(accessToken) });
      return parse(subscriptionsSchema, out, 'the webhook subscriptions').data.flatMap((app) => app.subscribed_fields ?? []);
    },
  };
}

function longLived(out: unknown, what: string): LongLivedToken {
  const parsed = parse(longLivedSchema, out, what);
  return { accessToken: parsed.access_token, expiresInSeconds: parsed.expires_in ?? LONG_LIVED_TOKEN_SECONDS };
}

/** An answer that is not what Meta documents: refused, never guessed at (and never echoed: it may hold a token). */
function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new GraphApiError(`unexpected answer from Meta to ${what}`, { httpStatus: 200 });
  return parsed.data;
}

/**
 * Graph errors (`{ error: { message, type, code, … } }`) as everywhere; api.instagram.com answers
 * OAuth failures in its own shape, `{ error_type, code, error_message }`, whose `code` is the HTTP
 * status rather than a Graph error code.
 */
export function instagramErrorFromResponse(httpStatus: number, body: unknown): GraphApiError {
  const b = body as { error?: unknown; error_type?: unknown; error_message?: unknown } | null | undefined;
  if (b && typeof b === 'object' && b.error === undefined && typeof b.error_message === 'string') {
    return new GraphApiError(b.error_message.slice(0, 300), {
      httpStatus,
      ...(typeof b.error_type === 'string' ? { type: b.error_type.slice(0, 100) } : {}),
    });
  }
  return graphErrorFromResponse(httpStatus, body);
}
