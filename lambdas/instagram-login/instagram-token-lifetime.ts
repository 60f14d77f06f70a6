import { instagramApiOf, isServing, type ChannelAccount } from '#lambdas/accounts/channel-account';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * When to refresh an Instagram Login token. A long-lived token lives 60 days; Meta refreshes only
 * a token at least 24 hours old and not yet expired, and the refreshed one lives 60 days from then
 * ("Refresh Access Token" reference). The job runs daily and refreshes tokens with fewer than ten
 * days left, so a few failed days in a row still leave time before the account stops answering.
 */
export const REFRESH_WHEN_LESS_THAN_MS = 10 * DAY_MS;
export const MIN_TOKEN_AGE_MS = DAY_MS;

export type RefreshDecision =
  | { action: 'refresh' }
  /** Not yet: more than the lead left, or Meta would refuse a token younger than a day. */
  | { action: 'wait'; reason: 'not_due' | 'too_young' }
  /** Nothing to refresh here: not an Instagram Login account, not serving, or already waiting for a new login. */
  | { action: 'skip'; reason: 'not_instagram_login' | 'not_serving' | 'awaiting_reauthorisation' | 'no_token' }
  /** The token is past its end: only the business logging in again brings the account back. */
  | { action: 'reauthorise'; reason: 'expired' };

export function decideRefresh(
  account:
    | (Pick<ChannelAccount, 'channel' | 'api' | 'status' | 'tokenSecretId' | 'tokenExpiresAt' | 'tokenIssuedAt'> & { needsReauthorisation?: unknown })
    | undefined,
  now: Date,
  leadMs: number = REFRESH_WHEN_LESS_THAN_MS,
): RefreshDecision {
  if (!account || instagramApiOf(account) !== 'instagram_login') return { action: 'skip', reason: 'not_instagram_login' };
  if (!isServing(account)) return { action: 'skip', reason: 'not_serving' };
  if (account.status === 'needs_reauthorisation') return { action: 'skip', reason: 'awaiting_reauthorisation' };
  const expiresAt = Date.parse(account.tokenExpiresAt ?? '');
  if (!account.tokenSecretId || Number.isNaN(expiresAt)) return { action: 'skip', reason: 'no_token' };
  if (expiresAt <= now.getTime()) return { action: 'reauthorise', reason: 'expired' };
  if (expiresAt - now.getTime() > leadMs) return { action: 'wait', reason: 'not_due' };
  // Without an issue time the token is at least as old as the lead allows: a refresh is safe to try.
  const issuedAt = Date.parse(account.tokenIssuedAt ?? '');
  if (!Number.isNaN(issuedAt) && now.getTime() - issuedAt < MIN_TOKEN_AGE_MS) return { action: 'wait', reason: 'too_young' };
  return { action: 'refresh' };
}

/** The expiry Meta announced (`expires_in` seconds from now), as an ISO time. */
export function expiryAfter(now: Date, expiresInSeconds: number): string {
  return new Date(now.getTime() + expiresInSeconds * 1000).toISOString();
}
