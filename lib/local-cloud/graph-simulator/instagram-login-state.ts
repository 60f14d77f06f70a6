import { randomBytes } from 'node:crypto';
import type { SimChannel } from '#lib/local-cloud/graph-simulator/accounts';
import type { SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';

/**
 * What Meta knows about Instagram professional accounts connected through Business Login for
 * Instagram, for the local cloud: accounts a test or `npm run onboard` creates, the one-time codes
 * their login hands out, the Instagram user tokens exchanged for them (short-lived for an hour,
 * long-lived for 60 days, by the simulator's clock) and the webhook fields each account is
 * subscribed to.
 */
export interface SimInstagramLoginAccount {
  /** The professional account id (`user_id` of `/me`): the id webhooks carry. */
  instagramAccountId: string;
  /** The app-scoped id the code exchange names (`user_id` there, `id` of `/me`). */
  appScopedId: string;
  username: string;
  subscribedFields: string[];
  /** The person removed the app or changed their password: every token of the account is refused (190). */
  revoked: boolean;
}

export interface SimInstagramToken {
  kind: 'short' | 'long';
  instagramAccountId: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

interface PendingCode {
  instagramAccountId: string;
  used: boolean;
  /** When set, the exchange must name the same redirect URI. */
  redirectUri?: string;
}

export const SHORT_LIVED_TOKEN_MS = 3_600_000;
export const LONG_LIVED_TOKEN_SECONDS = 60 * 24 * 3600;
/** Meta refreshes a long-lived token only once it is a day old. */
export const MIN_REFRESH_AGE_MS = 24 * 3_600_000;

export class InstagramLoginState {
  readonly accounts = new Map<string, SimInstagramLoginAccount>();
  readonly codes = new Map<string, PendingCode>();
  readonly tokens = new Map<string, SimInstagramToken>();
  /** Codes exchanged and tokens refreshed, for tests that count Meta calls. */
  exchanges = 0;
  refreshes = 0;
  private serial = 0;

  /** A business that has just gone through Business Login for Instagram. */
  addProspect(options: { username?: string; redirectUri?: string } = {}) {
    this.serial += 1;
    const n = `${Date.now().toString().slice(-8)}${String(this.serial).padStart(3, '0')}`;
    const instagramAccountId = `17842${n}`;
    const account: SimInstagramLoginAccount = {
      instagramAccountId,
      appScopedId: `2710${n}`,
      username: options.username ?? `local.shop.${n.slice(-4)}`,
      subscribedFields: [],
      revoked: false,
    };
    this.accounts.set(instagramAccountId, account);
    const code = this.newCode(instagramAccountId, options.redirectUri);
    return { code: code!, instagramAccountId, username: account.username };
  }

  /** Another login of a known account (a new code), or `undefined` for an unknown one. */
  newCode(instagramAccountId: string, redirectUri?: string): string | undefined {
    if (!this.accounts.has(instagramAccountId)) return undefined;
    const value = `AQsimIG${randomBytes(18).toString('base64url')}`;
    this.codes.set(value, { instagramAccountId, used: false, ...(redirectUri ? { redirectUri } : {}) });
    return value;
  }

  issue(kind: SimInstagramToken['kind'], instagramAccountId: string, nowMs: number, lifetimeMs: number): string {
    // Instagram user tokens start with IGAA; graph.facebook.com cannot parse them.
    const value = `IGAAsim${randomBytes(24).toString('base64url')}`;
    this.tokens.set(value, { kind, instagramAccountId, issuedAtMs: nowMs, expiresAtMs: nowMs + lifetimeMs });
    return value;
  }

  /** The token if it is one of ours, unexpired, and its account has not revoked the app. */
  valid(token: string | undefined, nowMs: number): SimInstagramToken | undefined {
    const issued = token === undefined ? undefined : this.tokens.get(token);
    if (!issued || issued.expiresAtMs <= nowMs) return undefined;
    return this.accounts.get(issued.instagramAccountId)?.revoked ? undefined : issued;
  }

  isInstagramToken(token: string): boolean {
    return this.tokens.has(token);
  }

  /** Moves every token of the account `ms` into the past, as if issued that long ago. */
  age(instagramAccountId: string, ms: number): void {
    for (const token of this.tokens.values()) {
      if (token.instagramAccountId !== instagramAccountId) continue;
      token.issuedAtMs -= ms;
      token.expiresAtMs -= ms;
    }
  }

  /** Accounts our app is subscribed to: they receive and send through graph.instagram.com. */
  isSubscribedAccount(accountId: string): boolean {
    return (this.accounts.get(accountId)?.subscribedFields.length ?? 0) > 0;
  }
}

const states = new WeakMap<SimulatorContext, InstagramLoginState>();

/** The Instagram Login state of one simulator, created on first use. */
export function instagramLoginStateOf(ctx: SimulatorContext): InstagramLoginState {
  let state = states.get(ctx);
  if (!state) {
    state = new InstagramLoginState();
    states.set(ctx, state);
  }
  return state;
}

/**
 * The secret that signs a webhook about this account: the Instagram app secret for accounts
 * connected through Instagram Login when the simulator was given one, else the app secret.
 */
export function webhookSecretFor(ctx: SimulatorContext, channel: SimChannel, accountId: string): string | undefined {
  if (channel !== 'instagram' || !ctx.config.instagramApp) return undefined;
  return instagramLoginStateOf(ctx).accounts.has(accountId) ? ctx.config.instagramApp.appSecret : undefined;
}
