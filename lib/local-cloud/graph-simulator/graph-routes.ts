import type { IncomingMessage } from 'node:http';
import {
  invalidParameterError,
  invalidTokenError,
  missingTokenError,
  unknownObjectError,
  unknownPathError,
  type GraphErrorResponse,
} from '#lib/local-cloud/graph-simulator/graph-errors';
import { refusedForAccountToken } from '#lib/local-cloud/graph-simulator/account-tokens';
import { accessTokenOf, parseJson } from '#lib/local-cloud/graph-simulator/http-util';
import { instagramLoginStateOf } from '#lib/local-cloud/graph-simulator/instagram-login-state';
import { mediaUrlObject } from '#lib/local-cloud/graph-simulator/media-store';
import { handleMessagingSend } from '#lib/local-cloud/graph-simulator/messaging-send';
import { handleOnboardingRequest, isOnboardingToken } from '#lib/local-cloud/graph-simulator/onboarding-routes';
import type { MessagingChannel } from '#lib/local-cloud/graph-simulator/messaging-webhooks';
import type { GraphResult, SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';
import { handleWhatsAppMessages } from '#lib/local-cloud/graph-simulator/whatsapp-send';
import { listTemplatesRoute } from '#lib/local-cloud/graph-simulator/template-routes';

/** Decides which tokens the simulator accepts: a fixed list, or any non-empty token. */
export type TokenPolicy = (token: string) => boolean;

const VERSION_SEGMENT = /^v\d+(\.\d+)?$/;

function refused(error: GraphErrorResponse): GraphResult {
  return { status: error.status, response: error.body };
}

/** Graph routes are versioned (`/v23.0/...`); the version is optional, as on graph.facebook.com. */
export function graphSegments(pathname: string): string[] {
  const segments = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  return segments[0] !== undefined && VERSION_SEGMENT.test(segments[0]) ? segments.slice(1) : segments;
}

/**
 * Answers one request on a Graph API route and records it in the outbox, whatever the outcome:
 * the outbox is the record of everything the business tried.
 */
export function handleGraphRequest(ctx: SimulatorContext, req: IncomingMessage, url: URL, raw: Buffer, acceptsToken: TokenPolicy): GraphResult {
  const parsed = parseJson(raw);
  const body = parsed.ok ? parsed.value : undefined;
  const result = route(ctx, req, url, parsed.ok, body, acceptsToken);
  ctx.outbox.record({
    method: req.method ?? 'GET',
    path: url.pathname,
    body,
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

function route(ctx: SimulatorContext, req: IncomingMessage, url: URL, bodyIsJson: boolean, body: unknown, acceptsToken: TokenPolicy): GraphResult {
  const token = accessTokenOf(req, url);
  // Onboarding: the code exchange (no token), and the WABAs, numbers and Pages a test created.
  const onboarding = handleOnboardingRequest(ctx, req.method ?? 'GET', url, body, token, acceptsToken);
  if (onboarding) return onboarding;
  if (token === undefined) return refused(missingTokenError());
  // An Instagram user token (Instagram Login) means nothing to graph.facebook.com.
  if (instagramLoginStateOf(ctx).isInstagramToken(token)) return refused(missingTokenError());
  if (!acceptsToken(token) && !isOnboardingToken(ctx, token)) return refused(invalidTokenError());

  const segments = graphSegments(url.pathname);
  const [id, edge, ...rest] = segments;
  // An account connected through Instagram Login has no Page: graph.facebook.com cannot send for it.
  if (id !== undefined && instagramLoginStateOf(ctx).isSubscribedAccount(id)) return refused(unknownObjectError(req.method === 'GET' ? 'GET' : 'POST', id));
  if (req.method === 'POST' && id !== undefined && edge === 'messages' && rest.length === 0) {
    // A token tied to another business's account cannot see this one (account-tokens.ts).
    const notThisAccountsToken = refusedForAccountToken(ctx, 'POST', id, token);
    if (notThisAccountsToken) return notThisAccountsToken;
    if (!bodyIsJson) return refused(invalidParameterError('Invalid JSON in the request body', true));
    return sendMessage(ctx, id, body);
  }
  if (req.method === 'GET' && id !== undefined && edge === 'message_templates' && rest.length === 0) return listTemplatesRoute(ctx, id, url);
  if (req.method === 'GET' && id !== undefined && edge === undefined) return getObject(ctx, id, url);
  return refused(unknownPathError(url.pathname));
}

function sendMessage(ctx: SimulatorContext, id: string, body: unknown): GraphResult {
  if (ctx.config.adoptUnknownAccounts && id !== 'me') adoptAccount(ctx, id, body);
  const number = ctx.config.whatsappNumbers.find((n) => n.phoneNumberId === id);
  if (number) return handleWhatsAppMessages(ctx, number, body);
  const account = messagingAccountFor(ctx, id, body);
  if (!account) return refused(unknownObjectError('POST', id));
  return handleMessagingSend(ctx, account.channel, account.accountId, body);
}

/**
 * Registers an account id the simulator has not seen, by the shape of the send: a WhatsApp body
 * makes it a business number; otherwise an id of the Instagram professional-account form
 * (`17841…`) is taken for Instagram and anything else for a Facebook Page.
 */
function adoptAccount(ctx: SimulatorContext, id: string, body: unknown): void {
  const known =
    ctx.config.whatsappNumbers.some((n) => n.phoneNumberId === id) || ctx.config.instagramAccountIds.includes(id) || ctx.config.pageIds.includes(id);
  if (known || !/^\d+$/.test(id)) return;
  if ((body as { messaging_product?: unknown } | undefined)?.messaging_product === 'whatsapp') {
    ctx.config.whatsappNumbers.push({ phoneNumberId: id, wabaId: id, displayPhoneNumber: id });
  } else if (id.startsWith('17841')) {
    ctx.config.instagramAccountIds.push(id);
  } else {
    ctx.config.pageIds.push(id);
  }
}

/**
 * `/me/messages` names no account: the Page (or Instagram account) is the token's owner. The
 * simulator does not tie tokens to accounts, so it takes the account the recipient last wrote
 * to, and the default Page for a recipient it never saw.
 */
function messagingAccountFor(ctx: SimulatorContext, id: string, body: unknown): { channel: MessagingChannel; accountId: string } | undefined {
  if (ctx.config.instagramAccountIds.includes(id)) return { channel: 'instagram', accountId: id };
  if (ctx.config.pageIds.includes(id)) return { channel: 'messenger', accountId: id };
  if (id !== 'me') return undefined;
  const recipient = (body as { recipient?: { id?: unknown } } | undefined)?.recipient?.id;
  const known = recipient === undefined ? undefined : ctx.windows.latestByCustomerId(String(recipient));
  if (known && known.channel !== 'whatsapp') return { channel: known.channel, accountId: known.accountId };
  const page = ctx.config.pageIds[0];
  return page === undefined ? undefined : { channel: 'messenger', accountId: page };
}

/** `GET /{version}/{id}`: a media URL object, or the profile of a customer the simulator knows. */
function getObject(ctx: SimulatorContext, id: string, url: URL): GraphResult {
  const media = ctx.media.get(id);
  if (media) return { status: 200, response: mediaUrlObject(ctx.media, ctx.baseUrl(), media, ctx.clock()) };

  const customer = ctx.windows.latestByCustomerId(id);
  if (customer && customer.channel !== 'whatsapp') {
    const name = customer.name ?? '';
    const [firstName = '', ...lastNames] = name.split(' ');
    const profile: Record<string, string> =
      customer.channel === 'messenger'
        ? { first_name: firstName, last_name: lastNames.join(' '), name, id }
        : { name, username: name.toLowerCase().replace(/[^a-z0-9_.]+/g, '.'), id };
    const fields = url.searchParams.get('fields');
    if (!fields) return { status: 200, response: profile };
    const wanted = new Set([...fields.split(',').map((f) => f.trim()), 'id']);
    return { status: 200, response: Object.fromEntries(Object.entries(profile).filter(([k]) => wanted.has(k))) };
  }
  return refused(unknownObjectError('GET', id));
}
