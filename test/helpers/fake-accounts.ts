import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { BusinessAccount, ChannelAccount } from '#lambdas/accounts/channel-account';

/** An in-memory registry for unit and integration tests of what reads accounts through `AccountReader`. */
export function fakeAccounts(
  accounts: Array<Pick<ChannelAccount, 'accountId' | 'channel' | 'businessId'> & Partial<ChannelAccount>>,
  wabas: Array<{ wabaId: string; businessId: string }> = [],
): AccountReader {
  const at = '2026-01-01T00:00:00.000Z';
  const byId = new Map(accounts.map((a) => [a.accountId, { status: 'active', createdAt: at, updatedAt: at, ...a } as ChannelAccount]));
  const byWaba = new Map(
    wabas.map((w) => [w.wabaId, { wabaId: w.wabaId, businessId: w.businessId, status: 'active', createdAt: at, updatedAt: at } satisfies BusinessAccount]),
  );
  return {
    account: async (id) => byId.get(id),
    waba: async (id) => byWaba.get(id),
  };
}
