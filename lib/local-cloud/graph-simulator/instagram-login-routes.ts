import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { graphSegments } from '#lib/local-cloud/graph-simulator/graph-routes';
import {
  graphError,
  invalidParameterError,
  invalidTokenError,
  missingTokenError,
  unknownObjectError,
  unknownPathError,
  type GraphErrorResponse,
} from '#lib/local-cloud/graph-simulator/graph-errors';
import { accessTokenOf, parseJson } from '#lib/local-cloud/graph-simulator/http-util';
import {
  instagramLoginStateOf,
  LONG_LIVED_TOKEN_SECONDS,
  MIN_REFRESH_AGE_MS,
  SHORT_LIVED_TOKEN_MS,
  type InstagramLoginState,
  type SimInstagramLoginAccount,
} from '#lib/local-cloud/graph-simulator/instagram-login-state';
import { handleMessagingSend } from '#lib/local-cloud/graph-simulator/messaging-send';
import type { GraphResult, SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';

/**
 * The hosts of the Instagram API with Instagram Login, served under path prefixes of the one
 * simulator port: `<sim>/graph.instagram.com/…` plays graph.instagram.com and
 * `<sim>/api.instagram.com/…` plays api.instagram.com, so the local cloud's
 * `INSTAGRAM_GRAPH_API_BASE_URL` and `INSTAGRAM_OAUTH_BASE_URL` point at them and every request
 * is recorded with the host it was meant for.
 */
export const INSTAGRAM_GRAPH_HOST = 'graph.instagram.com';
export const INSTAGRAM_OAUTH_HOST = 'api.instagram.com';
export type InstagramHost = typeof INSTAGRAM_GRAPH_HOST | typeof INSTAGRAM_OAUTH_HOST;

/** The Instagram host a request path names, and the path as that host sees it. */
export function instagramHostOf(pathname: string): { host: InstagramHost; path: string } | undefined {
  for (const host of [INSTAGRAM_GRAPH_HOST, INSTAGRAM_OAUTH_HOST] as const) {
    const prefix = `/${host}`;
    if (pathname === prefix || pathname.startsWith(`${prefix}/`)) return { host, path: pathname.slice(prefix.length) || '/' };
  }
  return undefined;
}

const PERMISSIONS = 'instagram_business_basic,instagram_business_manage_messages';

/** Answers a request on one of the Instagram hosts and records it in the outbox, with its host. */
export function handleInstagramHostRequest(ctx: SimulatorContext, req: IncomingMessage, url: URL, raw: Buffer): GraphResult {
  const target = instagramHostOf(url.pathname)!;
  const hostUrl = new URL(url);
  hostUrl.pathname = target.path;
  const state = instagramLoginStateOf(ctx);
  const method = req.method ?? 'GET';
  const result = target.host === INSTAGRAM_OAUTH_HOST ? oauthRoute(ctx, state, method, hostUrl, req, raw) : graphRoute(ctx, state, method, hostUrl, req, raw);
  const parsed = parseJson(raw);
  const token = target.host === INSTAGRAM_GRAPH_HOST ? accessTokenOf(req, hostUrl) : undefined;
  ctx.outbox.record({
    method,
    path: url.pathname,
    host: target.host,
    ...(token ? { credential: tokenDigest(token) } : {}),
    // The code exchange's form holds the app secret and the code: recorded without them.
    body: target.host === INSTAGRAM_OAUTH_HOST ? redactedForm(raw) : parsed.ok ? parsed.value : undefined,
    response: result.response,
    status: result.status,
    receivedAt: new Date(ctx.clock()).toISOString(),
    ...(result.channel === undefined ? {} : { channel: result.channel }),
    ...(result.accountId === undefined ? {} : { accountId: result.accountId }),
    ...(result.recipientId === undefined ? {} : { recipientId: result.recipientId }),
    ...(result.messageId === undefined ? {} : { messageId: result.messageId }),
  });
  return result;
}

/** api.instagram.com: `POST /oauth/access_token` with a form, answered in Instagram's OAuth error shape when refused. */
function oauthRoute(ctx: SimulatorContext, state: InstagramLoginState, method: string, url: URL, req: IncomingMessage, raw: Buffer): GraphResult {
  if (method !== 'POST' || url.pathname.replace(/\/+$/, '') !== '/oauth/access_token') return refused(unknownPathError(url.pathname));
  const contentType = String(req.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/x-www-form-urlencoded')) return oauthError('Form data (application/x-www-form-urlencoded) is required');
  const form = new URLSearchParams(raw.toString('utf8'));
  for (const field of ['client_id', 'client_secret', 'grant_type', 'redirect_uri', 'code']) {
    if (!form.get(field)) return oauthError(`Missing required field ${field}`);
  }
  const app = ctx.config.instagramApp;
  if (app && form.get('client_id') !== app.appId) return oauthError('Invalid platform app');
  if (app && form.get('client_secret') !== app.appSecret) return oauthError('Error validating client secret');
  if (form.get('grant_type') !== 'authorization_code') return oauthError('Unsupported grant_type');
  const code = state.codes.get(form.get('code')!);
  if (!code) return oauthError('Invalid authorization code');
  if (code.used) return oauthError('This authorization code has been used');
  if (code.redirectUri !== undefined && code.redirectUri !== form.get('redirect_uri'))
    return oauthError('Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request');
  code.used = true;
  state.exchanges += 1;
  const account = state.accounts.get(code.instagramAccountId)!;
  const token = state.issue('short', account.instagramAccountId, ctx.clock(), SHORT_LIVED_TOKEN_MS);
  return ok({ access_token: token, user_id: account.appScopedId, permissions: PERMISSIONS });
}

/** graph.instagram.com: token exchange and refresh, the account, its webhook subscription and its messages. */
function graphRoute(ctx: SimulatorContext, state: InstagramLoginState, method: string, url: URL, req: IncomingMessage, raw: Buffer): GraphResult {
  const [first, edge, ...rest] = graphSegments(url.pathname);
  const now = ctx.clock();
  if (method === 'GET' && first === 'access_token' && edge === undefined) return exchangeForLongLived(ctx, state, url, now);
  if (method === 'GET' && first === 'refresh_access_token' && edge === undefined) return refresh(state, url, now);

  const token = accessTokenOf(req, url);
  if (token === undefined) return refused(missingTokenError());
  const issued = state.valid(token, now);
  if (!issued) return refused(invalidTokenError());
  const account = state.accounts.get(issued.instagramAccountId)!;
  if (first === undefined || rest.length > 0) return refused(unknownPathError(url.pathname));
  const verb = method === 'GET' ? 'GET' : 'POST';
  // `me` is the token's account; another account's id is an object the token cannot see.
  if (first !== 'me' && first !== account.instagramAccountId) return refused(unknownObjectError(verb, first));

  if (method === 'GET' && edge === undefined) return ok(pick(profileOf(account), url));
  if (edge === 'subscribed_apps' && method === 'GET') {
    return ok({ data: account.subscribedFields.length > 0 ? [{ subscribed_fields: [...account.subscribedFields] }] : [] });
  }
  if (edge === 'subscribed_apps' && method === 'POST') {
    const parsed = parseJson(raw);
    const fromBody = parsed.ok ? (parsed.value as { subscribed_fields?: unknown } | undefined)?.subscribed_fields : undefined;
    const requested = url.searchParams.get('subscribed_fields') ?? fromBody;
    const fields = Array.isArray(requested)
      ? requested.map(String)
      : typeof requested === 'string'
        ? requested
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean)
        : [];
    if (fields.length === 0) return refused(graphError({ message: '(#100) The parameter subscribed_fields is required', code: 100 }));
    account.subscribedFields = fields;
    // Subscribed, the account receives messages: the customer side of the simulator may write to it.
    if (!ctx.config.instagramAccountIds.includes(account.instagramAccountId)) ctx.config.instagramAccountIds.push(account.instagramAccountId);
    return ok({ success: true });
  }
  if (edge === 'messages' && method === 'POST') {
    const parsed = parseJson(raw);
    if (!parsed.ok) return refused(invalidParameterError('Invalid JSON in the request body', false));
    return handleMessagingSend(ctx, 'instagram', account.instagramAccountId, parsed.value);
  }
  return refused(unknownPathError(url.pathname));
}

function exchangeForLongLived(ctx: SimulatorContext, state: InstagramLoginState, url: URL, now: number): GraphResult {
  if (url.searchParams.get('grant_type') !== 'ig_exchange_token')
    return refused(graphError({ message: '(#100) grant_type must be ig_exchange_token', code: 100 }));
  const secret = url.searchParams.get('client_secret');
  if (!secret) return refused(graphError({ message: 'Missing client_secret parameter.', code: 1 }));
  if (ctx.config.instagramApp && secret !== ctx.config.instagramApp.appSecret)
    return refused(graphError({ message: 'Error validating client secret.', code: 101 }));
  const short = state.valid(url.searchParams.get('access_token') ?? undefined, now);
  if (!short) return refused(invalidTokenError());
  const token = state.issue('long', short.instagramAccountId, now, LONG_LIVED_TOKEN_SECONDS * 1000);
  return ok({ access_token: token, token_type: 'bearer', expires_in: LONG_LIVED_TOKEN_SECONDS });
}

/** A long-lived token at least a day old and unexpired becomes a new one valid 60 days from now. */
function refresh(state: InstagramLoginState, url: URL, now: number): GraphResult {
  if (url.searchParams.get('grant_type') !== 'ig_refresh_token')
    return refused(graphError({ message: '(#100) grant_type must be ig_refresh_token', code: 100 }));
  const current = state.valid(url.searchParams.get('access_token') ?? undefined, now);
  if (current?.kind !== 'long') return refused(invalidTokenError());
  // The simulator's wording: Meta documents the rule, not its error message.
  if (now - current.issuedAtMs < MIN_REFRESH_AGE_MS)
    return refused(graphError({ message: '(#100) The access token must be at least 24 hours old to be refreshed', code: 100 }));
  state.refreshes += 1;
  const token = state.issue('long', current.instagramAccountId, now, LONG_LIVED_TOKEN_SECONDS * 1000);
  return ok({ access_token: token, token_type: 'bearer', expires_in: LONG_LIVED_TOKEN_SECONDS });
}

function profileOf(account: SimInstagramLoginAccount): Record<string, unknown> {
  return { id: account.appScopedId, user_id: account.instagramAccountId, username: account.username, name: account.username, account_type: 'BUSINESS' };
}

/** `fields` as the Graph API honours it: only those asked for, and always the id. */
function pick(object: Record<string, unknown>, url: URL): Record<string, unknown> {
  const fields = url.searchParams.get('fields');
  if (!fields) return object;
  const wanted = new Set([...fields.split(',').map((f) => f.trim()), 'id']);
  return Object.fromEntries(Object.entries(object).filter(([k]) => wanted.has(k)));
}

/** What the outbox keeps of a token: enough to tell which one was used, nothing to use it with. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

function redactedForm(raw: Buffer): Record<string, string> | undefined {
  if (raw.length === 0) return undefined;
  const form = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  for (const secret of ['client_secret', 'code']) if (secret in form) form[secret] = '[redacted]';
  return form;
}

/** api.instagram.com's own error shape: `code` is the HTTP status. */
function oauthError(message: string): GraphResult {
  return { status: 400, response: { error_type: 'OAuthException', code: 400, error_message: message } };
}

function ok(response: unknown): GraphResult {
  return { status: 200, response };
}

function refused(error: GraphErrorResponse): GraphResult {
  return { status: error.status, response: error.body };
}
