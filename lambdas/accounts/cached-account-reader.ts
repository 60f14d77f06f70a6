import type { AccountRegistry } from '#lambdas/accounts/account-registry';
import type { BusinessAccount, ChannelAccount } from '#lambdas/accounts/channel-account';

/** Registry reads as the hot path needs them: per Lambda instance, cached. */
export interface AccountReader {
  account(accountId: string): Promise<ChannelAccount | undefined>;
  waba(wabaId: string): Promise<BusinessAccount | undefined>;
}

export interface CachedAccountReaderOptions {
  /** The registry read on a miss (accounts/account-registry.ts). */
  registry: Pick<AccountRegistry, 'channelAccount' | 'businessAccount'>;
  /** How long a registered account is served from memory (a status change is seen this late). */
  hitTtlMs?: number;
  /** How long "not registered" is remembered: short, so a freshly onboarded number is served soon. */
  missTtlMs?: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
  nowMs?: () => number;
}

export const ACCOUNT_HIT_TTL_MS = 60_000;
export const ACCOUNT_MISS_TTL_MS = 10_000;

interface Entry<T> {
  value: Promise<T | undefined>;
  until: number;
}

/**
 * Reads registry items once per minute per instance (once per 10 s while absent). Concurrent
 * look-ups of the same id share one read; a failed read is not remembered, so it is tried again.
 */
export function cachedAccountReader(options: CachedAccountReaderOptions): AccountReader {
  const hitTtl = options.hitTtlMs ?? ACCOUNT_HIT_TTL_MS;
  const missTtl = options.missTtlMs ?? ACCOUNT_MISS_TTL_MS;
  const maxEntries = options.maxEntries ?? 2_000;
  const nowMs = options.nowMs ?? Date.now;
  const cache = new Map<string, Entry<unknown>>();

  function cached<T>(key: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = cache.get(key) as Entry<T> | undefined;
    if (hit && hit.until > nowMs()) return hit.value;
    const value = read();
    // Until it settles, concurrent callers share this read.
    const entry: Entry<T> = { value, until: Number.POSITIVE_INFINITY };
    cache.delete(key);
    cache.set(key, entry);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    value.then(
      (found) => {
        if (cache.get(key) === entry) entry.until = nowMs() + (found === undefined ? missTtl : hitTtl);
      },
      () => {
        if (cache.get(key) === entry) cache.delete(key);
      },
    );
    return value;
  }

  return {
    account: (accountId) => cached(`ACCT#${accountId}`, () => options.registry.channelAccount(accountId)),
    waba: (wabaId) => cached(`WABA#${wabaId}`, () => options.registry.businessAccount(wabaId)),
  };
}
