import { GraphApiError } from '#lambdas/adapters/graph-api-client';
import type { InstagramLoginApi } from '#lambdas/instagram-login/instagram-login-api';
import { decideRefresh, expiryAfter, REFRESH_WHEN_LESS_THAN_MS } from '#lambdas/instagram-login/instagram-token-lifetime';
import type { InstagramTokenStore } from '#lambdas/instagram-login/instagram-token-store';
import type { AccountTokenVersions } from '#lambdas/onboarding/account-token-store';

export interface RefreshTokensDeps {
  store: InstagramTokenStore;
  secrets: AccountTokenVersions;
  api: Pick<InstagramLoginApi, 'refresh'>;
  now?: () => Date;
  /** Refresh tokens with less than this left (default ten days). */
  leadMs?: number;
  /** Milliseconds left in the invocation; the run stops taking new accounts below `reserveMs`. */
  remainingMs?: () => number;
  reserveMs?: number;
  /** Accounts refreshed at once (default 5): each waits mostly on Meta and Secrets Manager. */
  concurrency?: number;
}

/** What one account came to. `refresh_failed` will be tried again on the next run. */
export type AccountRefreshOutcome =
  | 'refreshed'
  | 'not_due'
  | 'too_young'
  | 'skipped'
  | 'refresh_failed'
  | 'needs_reauthorisation'
  /** Another run recorded a new token for the account meanwhile: nothing to do. */
  | 'refreshed_elsewhere';

export interface RefreshSummary {
  looked: number;
  outcomes: Partial<Record<AccountRefreshOutcome, number>>;
  /** Accounts that now need the business to log in again (ids only: they name businesses' accounts, no person). */
  needReauthorisation: string[];
  /** Accounts left for the next run because the invocation ran out of time. */
  deferred: number;
}

/**
 * The daily refresh of Instagram Login tokens. For each watched account whose token ends within
 * the lead: read the account again (the index is eventually consistent), ask Meta for a new
 * long-lived token with the current one, store it as a new version of the account's own token
 * secret, then record its expiry (only if no other run recorded one meanwhile).
 *
 * Meta refusing the token (190 and other refusals that are not temporary), or a token already
 * past its end, is final: the account is marked `needs_reauthorisation` and the business must
 * log in again. Meta's temporary errors and network failures are counted on the account and
 * tried again the next day; the lead leaves several days for that. Storage failures throw: the
 * run fails, its alarm fires, and the next run starts over (each step is safe to repeat).
 */
export async function refreshInstagramTokens(deps: RefreshTokensDeps): Promise<RefreshSummary> {
  const now = deps.now ?? (() => new Date());
  const leadMs = deps.leadMs ?? REFRESH_WHEN_LESS_THAN_MS;
  const startedAt = now();
  const due = await deps.store.dueBefore(new Date(startedAt.getTime() + leadMs).toISOString());
  const summary: RefreshSummary = { looked: 0, outcomes: {}, needReauthorisation: [], deferred: 0 };
  let next = 0;
  // A few workers take accounts in expiry order until none are left or the invocation runs short;
  // what is left waits for the next run, days before it matters.
  const worker = async (): Promise<void> => {
    while (next < due.length) {
      if (deps.remainingMs && deps.remainingMs() < (deps.reserveMs ?? 15_000)) return;
      const accountId = due[next++]!;
      summary.looked += 1;
      const outcome = await refreshOne(accountId, deps, now, leadMs);
      summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
      if (outcome === 'needs_reauthorisation') summary.needReauthorisation.push(accountId);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 5) }, worker));
  summary.deferred = due.length - next;
  return summary;
}

async function refreshOne(accountId: string, deps: RefreshTokensDeps, now: () => Date, leadMs: number): Promise<AccountRefreshOutcome> {
  const account = await deps.store.read(accountId);
  const decision = decideRefresh(account, now(), leadMs);
  switch (decision.action) {
    case 'wait':
      return decision.reason;
    case 'skip':
      // Not ours to refresh any more (offboarded, another API, waiting for a login): stop watching.
      await deps.store.unwatch(accountId);
      return 'skipped';
    case 'reauthorise':
      return (await deps.store.markNeedsReauthorisation(accountId, { reason: 'token_expired' }, now().toISOString())) ? 'needs_reauthorisation' : 'skipped';
    case 'refresh':
      break;
  }
  const secretId = account!.tokenSecretId!;
  const previousExpiresAt = account!.tokenExpiresAt!;
  const stored = await deps.secrets.get(secretId);
  if (!stored) {
    // A watched account without its token: nothing can renew it but a new login.
    return (await deps.store.markNeedsReauthorisation(accountId, { reason: 'token_missing' }, now().toISOString())) ? 'needs_reauthorisation' : 'skipped';
  }

  let renewed: Awaited<ReturnType<InstagramLoginApi['refresh']>>;
  try {
    renewed = await deps.api.refresh(stored.accessToken);
  } catch (err) {
    if (!(err instanceof GraphApiError)) throw err;
    const at = now().toISOString();
    if (err.classification === 'retryable') {
      await deps.store.recordRefreshFailure(accountId, { ...(err.code !== undefined ? { code: err.code } : {}) }, at);
      return 'refresh_failed';
    }
    const marked = await deps.store.markNeedsReauthorisation(
      accountId,
      { reason: err.classification === 'auth' ? 'token_refused' : 'refresh_refused', ...(err.code !== undefined ? { code: err.code } : {}) },
      at,
    );
    return marked ? 'needs_reauthorisation' : 'skipped';
  }

  // The new token is stored before its expiry is recorded: if recording fails, the next run sees
  // the old expiry and refreshes again, which Meta allows.
  await deps.secrets.putVersion(secretId, { ...stored, accessToken: renewed.accessToken });
  const at = now();
  const recorded = await deps.store.recordToken(
    accountId,
    { expiresAt: expiryAfter(at, renewed.expiresInSeconds), issuedAt: at.toISOString(), previousExpiresAt },
    at.toISOString(),
  );
  return recorded ? 'refreshed' : 'refreshed_elsewhere';
}
