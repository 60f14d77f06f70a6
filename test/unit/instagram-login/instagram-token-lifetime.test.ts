import { describe, expect, it } from 'vitest';
import { decideRefresh, expiryAfter } from '#lambdas/instagram-login/instagram-token-lifetime';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();
const account = (overrides: Record<string, unknown> = {}) => ({
  channel: 'instagram' as const,
  api: 'instagram_login' as const,
  status: 'active' as const,
  tokenSecretId: 'Omnichannel-dev/account-tokens/17842',
  tokenExpiresAt: days(5),
  tokenIssuedAt: days(-55),
  ...overrides,
});

describe('when an Instagram Login token is refreshed', () => {
  it('refreshes a token with fewer than ten days left that is at least a day old', () => {
    expect(decideRefresh(account(), NOW)).toEqual({ action: 'refresh' });
    expect(decideRefresh(account({ tokenExpiresAt: days(9.9) }), NOW)).toEqual({ action: 'refresh' });
  });

  it('waits while more than ten days are left, or while the token is younger than a day (Meta refuses those)', () => {
    expect(decideRefresh(account({ tokenExpiresAt: days(10.1) }), NOW)).toEqual({ action: 'wait', reason: 'not_due' });
    expect(decideRefresh(account({ tokenIssuedAt: days(-0.5) }), NOW)).toEqual({ action: 'wait', reason: 'too_young' });
    // Asked early (a lead of 60 days), a day-old token is refreshed.
    expect(decideRefresh(account({ tokenExpiresAt: days(59), tokenIssuedAt: days(-1) }), NOW, 60 * 86_400_000)).toEqual({ action: 'refresh' });
  });

  it('gives up on a token past its end: only a new login brings the account back', () => {
    expect(decideRefresh(account({ tokenExpiresAt: days(-0.01) }), NOW)).toEqual({ action: 'reauthorise', reason: 'expired' });
  });

  it('leaves alone what is not a served Instagram Login account with a token', () => {
    expect(decideRefresh(undefined, NOW)).toEqual({ action: 'skip', reason: 'not_instagram_login' });
    expect(decideRefresh(account({ api: undefined }), NOW)).toEqual({ action: 'skip', reason: 'not_instagram_login' });
    expect(decideRefresh(account({ api: 'messenger_platform' }), NOW)).toEqual({ action: 'skip', reason: 'not_instagram_login' });
    expect(decideRefresh(account({ channel: 'whatsapp' }), NOW)).toEqual({ action: 'skip', reason: 'not_instagram_login' });
    expect(decideRefresh(account({ status: 'offboarded' }), NOW)).toEqual({ action: 'skip', reason: 'not_serving' });
    expect(decideRefresh(account({ status: 'onboarding' }), NOW)).toEqual({ action: 'skip', reason: 'not_serving' });
    expect(decideRefresh(account({ status: 'needs_reauthorisation' }), NOW)).toEqual({ action: 'skip', reason: 'awaiting_reauthorisation' });
    expect(decideRefresh(account({ tokenSecretId: undefined }), NOW)).toEqual({ action: 'skip', reason: 'no_token' });
    expect(decideRefresh(account({ tokenExpiresAt: 'soon' }), NOW)).toEqual({ action: 'skip', reason: 'no_token' });
  });

  it('dates the new expiry from the seconds Meta gives', () => {
    expect(expiryAfter(NOW, 5_184_000)).toBe(days(60));
  });
});
