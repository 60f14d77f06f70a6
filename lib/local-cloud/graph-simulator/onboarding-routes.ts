import { graphSegments } from '#lib/local-cloud/graph-simulator/graph-routes';
import { invalidTokenError, missingTokenError, unknownObjectError, type GraphErrorResponse } from '#lib/local-cloud/graph-simulator/graph-errors';
import { onboardingStateOf, type OnboardingState, type SimNumber, type SimWaba } from '#lib/local-cloud/graph-simulator/onboarding-state';
import { newFbtraceId } from '#lib/local-cloud/graph-simulator/sim-ids';
import type { GraphResult, SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';

/**
 * The Graph API calls of onboarding, answered like graph.facebook.com: the code exchange
 * (`/oauth/access_token`, each code once), a WABA's fields, `subscribed_apps` and `phone_numbers`
 * (paged with `limit` and `after`), a number's `register` (with its two-step verification PIN) and
 * fields, and for Instagram the Page's fields and token, `subscribed_apps` and the linked account.
 * A token sees only what its code granted: a WABA, number or Page it was not granted is, to a read,
 * an object that "does not exist, cannot be loaded due to missing permissions" (code 100, subcode
 * 33), as Meta answers; the WABAs of the local cloud's own numbers are likewise hidden from tokens
 * that onboarding codes handed out. Other objects are left to the other routes (`undefined`).
 */
export function handleOnboardingRequest(
  ctx: SimulatorContext,
  method: string,
  url: URL,
  body: unknown,
  token: string | undefined,
  acceptsToken: (token: string) => boolean,
): GraphResult | undefined {
  const state = onboardingStateOf(ctx);
  const [id, edge, ...rest] = graphSegments(url.pathname);
  if (id === undefined || rest.length > 0) return undefined;
  if (id === 'oauth' && edge === 'access_token' && method === 'GET') return exchange(state, url.searchParams);

  const number = state.numbers.get(id);
  const waba = state.wabas.get(id);
  const page = state.pages.get(id);
  const igPage = [...state.pages.values()].find((p) => p.instagramAccountId === id);
  const verb = method === 'GET' ? 'GET' : 'POST';
  if (!number && !waba && !page && !igPage) {
    // A WABA of the local cloud's configured numbers: no onboarding code ever granted it.
    const configuredWaba = ctx.config.whatsappNumbers.some((n) => n.wabaId === id && n.phoneNumberId !== id);
    if (configuredWaba && token !== undefined && state.tokens.has(token)) return refused(unknownObjectError(verb, id));
    return undefined;
  }
  if (token === undefined) return refused(missingTokenError());
  const issued = state.tokens.get(token);
  if (!issued) {
    // A token the simulator accepts but that no business gave us: valid, yet without access here.
    if (!acceptsToken(token)) return refused(invalidTokenError());
    return refused(number || igPage || verb === 'GET' ? unknownObjectError(verb, id) : permissionError());
  }

  if (number) {
    if (!state.tokenCoversWaba(token, number.wabaId)) return refused(unknownObjectError(method === 'GET' ? 'GET' : 'POST', id));
    if (method === 'POST' && edge === 'register') return register(ctx, number, body);
    if (method === 'GET' && edge === undefined) return ok(pick(numberFields(number), url));
    if (method === 'POST' && edge === 'messages' && number.status !== 'CONNECTED') {
      return refused(graphError({ message: '(#133010) Account not registered', code: 133010, whatsapp: true, details: 'Account not registered' }));
    }
    // An accepted token on a connected number: the ordinary send route takes it from here.
    return undefined;
  }
  if (waba) {
    if (!state.tokenCoversWaba(token, waba.wabaId)) return refused(verb === 'GET' ? unknownObjectError(verb, id) : permissionError());
    if (edge === undefined && method === 'GET') return ok(pick(wabaFields(waba), url));
    if (edge === 'subscribed_apps' && method === 'POST') {
      waba.subscribedApps.add(issued.appId);
      return ok({ success: true });
    }
    if (edge === 'subscribed_apps' && method === 'GET') {
      return ok({
        data: [...waba.subscribedApps].map((appId) => ({
          whatsapp_business_api_data: { id: appId, link: `https://www.facebook.com/games/?app_id=${appId}`, name: 'Local support app' },
        })),
      });
    }
    if (edge === 'phone_numbers' && method === 'GET') {
      const numbers = [...state.numbers.values()].filter((n) => n.wabaId === waba.wabaId).map((n) => pick(numberFields(n), url));
      return phoneNumbersPage(numbers, url);
    }
    // Other edges of the WABA (message templates) belong to other routes.
    return undefined;
  }
  if (page) {
    const forPage = (issued.kind === 'user' || issued.kind === 'page') && issued.pageId === page.pageId;
    if (!forPage) return refused(verb === 'GET' ? unknownObjectError(verb, id) : permissionError());
    if (method === 'GET' && edge === undefined) {
      // Someone who manages the Page gets a Page token; the Page token itself reads its own Page.
      const pageToken = issued.kind === 'user' ? state.issueToken({ kind: 'page', appId: issued.appId, pageId: page.pageId }) : token;
      return ok(
        pick({ id: page.pageId, name: `Page of ${page.username}`, access_token: pageToken, instagram_business_account: { id: page.instagramAccountId } }, url),
      );
    }
    if (edge === 'subscribed_apps' && issued.kind === 'page') {
      if (method === 'GET') {
        return ok({
          data: [...page.subscriptions].map(([appId, fields]) => ({
            category: 'Business',
            link: `https://www.facebook.com/games/?app_id=${appId}`,
            name: 'Local support app',
            id: appId,
            subscribed_fields: fields,
          })),
        });
      }
      const raw = (body as { subscribed_fields?: unknown } | undefined)?.subscribed_fields ?? url.searchParams.get('subscribed_fields');
      const fields = Array.isArray(raw)
        ? raw.map(String)
        : typeof raw === 'string'
          ? raw
              .split(',')
              .map((f) => f.trim())
              .filter(Boolean)
          : [];
      if (fields.length === 0) return refused(graphError({ message: '(#100) The parameter subscribed_fields is required', code: 100 }));
      page.subscriptions.set(issued.appId, fields);
      if (!ctx.config.instagramAccountIds.includes(page.instagramAccountId)) ctx.config.instagramAccountIds.push(page.instagramAccountId);
      return ok({ success: true });
    }
    return undefined;
  }
  if (igPage && method === 'GET' && edge === undefined) {
    if (issued.kind !== 'page' || issued.pageId !== igPage.pageId) return refused(unknownObjectError(verb, id));
    return ok(pick({ id: igPage.instagramAccountId, username: igPage.username, name: igPage.username }, url));
  }
  // Sends and everything else on an Instagram account go to the ordinary routes.
  return undefined;
}

/** Tokens handed out by code exchanges are valid on every route, like any other access token. */
export function isOnboardingToken(ctx: SimulatorContext, token: string): boolean {
  return onboardingStateOf(ctx).tokens.has(token);
}

function exchange(state: OnboardingState, query: URLSearchParams): GraphResult {
  const appId = query.get('client_id');
  const secret = query.get('client_secret');
  if (!appId) return refused(graphError({ message: 'Missing client_id parameter.', code: 101 }));
  if (!secret) return refused(graphError({ message: 'Missing client_secret parameter.', code: 1 }));

  if (query.get('grant_type') === 'fb_exchange_token') {
    const short = state.tokens.get(query.get('fb_exchange_token') ?? '');
    if (short?.kind !== 'user') return refused(invalidTokenError());
    const token = state.issueToken({ ...short, longLived: true });
    return ok({ access_token: token, token_type: 'bearer', expires_in: 5_183_944 });
  }
  const codeValue = query.get('code');
  if (!codeValue) return refused(graphError({ message: 'Missing code parameter.', code: 100 }));
  const code = state.codes.get(codeValue);
  if (!code) {
    return refused(graphError({ message: 'Invalid verification code format.', code: 100, subcode: 36008 }));
  }
  if (code.used) return refused(graphError({ message: 'This authorization code has been used.', code: 100, subcode: 36009 }));
  code.used = true;
  state.exchanges += 1;
  if (code.channel === 'whatsapp') {
    // Business integration system user tokens do not expire.
    return ok({ access_token: state.issueToken({ kind: 'business', appId, wabaId: code.wabaId }), token_type: 'bearer' });
  }
  return ok({ access_token: state.issueToken({ kind: 'user', appId, pageId: code.pageId, longLived: false }), token_type: 'bearer', expires_in: 3600 });
}

function register(ctx: SimulatorContext, number: SimNumber, body: unknown): GraphResult {
  const b = (body ?? {}) as { messaging_product?: unknown; pin?: unknown };
  if (b.messaging_product !== 'whatsapp') {
    return refused(
      graphError({ message: '(#100) The parameter messaging_product is required.', code: 100, whatsapp: true, details: 'messaging_product must be whatsapp' }),
    );
  }
  if (typeof b.pin !== 'string' || !/^\d{6}$/.test(b.pin)) {
    return refused(graphError({ message: '(#100) Invalid parameter', code: 100, whatsapp: true, details: 'pin must be a string of 6 digits' }));
  }
  if (number.twoStepPin !== undefined && number.twoStepPin !== b.pin) {
    return refused(
      graphError({ message: '(#133005) Two step verification PIN Mismatch', code: 133005, whatsapp: true, details: 'Two step verification PIN Mismatch' }),
    );
  }
  // Registering sets the PIN when two-step verification was off.
  number.twoStepPin = b.pin;
  number.status = 'CONNECTED';
  if (!ctx.config.whatsappNumbers.some((n) => n.phoneNumberId === number.phoneNumberId)) {
    ctx.config.whatsappNumbers.push({ phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, displayPhoneNumber: number.displayPhoneNumber });
  }
  return ok({ success: true });
}

function wabaFields(waba: SimWaba): Record<string, unknown> {
  return {
    id: waba.wabaId,
    name: waba.name,
    timezone_id: '1',
    message_template_namespace: `sim_${waba.wabaId}`,
    account_review_status: 'APPROVED',
    business_verification_status: 'VERIFIED',
    ownership_type: 'CLIENT_OWNED',
  };
}

/** A page of a connection as the Graph API pages it: `limit` (1–100, 25 by default), `after` cursors, `next` when more. */
function phoneNumbersPage(items: Array<Record<string, unknown>>, url: URL): GraphResult {
  const asked = Number.parseInt(url.searchParams.get('limit') ?? '', 10);
  const limit = Number.isFinite(asked) ? Math.min(Math.max(asked, 1), 100) : 25;
  const cursor = url.searchParams.get('after');
  const start = cursor ? Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10) + 1 : 0;
  if (!Number.isInteger(start) || start < 0) return refused(graphError({ message: '(#100) Invalid after cursor', code: 100 }));
  const data = items.slice(start, start + limit);
  const cursorOf = (index: number) => Buffer.from(String(index)).toString('base64url');
  if (data.length === 0) return ok({ data });
  const last = start + data.length - 1;
  const paging: Record<string, unknown> = { cursors: { before: cursorOf(start), after: cursorOf(last) } };
  if (last < items.length - 1) {
    const next = new URL(url);
    next.searchParams.set('after', cursorOf(last));
    next.searchParams.set('limit', String(limit));
    paging.next = next.toString();
  }
  return ok({ data, paging });
}

function numberFields(n: SimNumber): Record<string, unknown> {
  return {
    id: n.phoneNumberId,
    display_phone_number: n.displayPhoneNumber,
    verified_name: n.verifiedName,
    status: n.status,
    name_status: n.nameStatus,
    quality_rating: n.qualityRating,
    code_verification_status: 'VERIFIED',
    platform_type: n.status === 'CONNECTED' ? 'CLOUD_API' : 'NOT_APPLICABLE',
    throughput: { level: n.throughputLevel },
    is_on_biz_app: n.coexistence,
  };
}

/** `fields` as the Graph API honours it: only those asked for, and always the id. */
function pick(object: Record<string, unknown>, url: URL): Record<string, unknown> {
  const fields = url.searchParams.get('fields');
  if (!fields) return object;
  const wanted = new Set([...fields.split(',').map((f) => f.trim()), 'id']);
  return Object.fromEntries(Object.entries(object).filter(([k]) => wanted.has(k)));
}

function ok(response: unknown): GraphResult {
  return { status: 200, response };
}

function refused(error: GraphErrorResponse): GraphResult {
  return { status: error.status, response: error.body };
}

function permissionError(): GraphErrorResponse {
  return graphError({ message: '(#200) Permissions error', code: 200, status: 403 });
}

function graphError(parts: { message: string; code: number; subcode?: number; whatsapp?: boolean; details?: string; status?: number }): GraphErrorResponse {
  return {
    status: parts.status ?? 400,
    body: {
      error: {
        message: parts.message,
        type: 'OAuthException',
        code: parts.code,
        ...(parts.subcode === undefined ? {} : { error_subcode: parts.subcode }),
        ...(parts.details === undefined
          ? {}
          : { error_data: { ...(parts.whatsapp ? { messaging_product: 'whatsapp' as const } : {}), details: parts.details } }),
        fbtrace_id: newFbtraceId(),
      },
    },
  };
}
