import type { SendingAccountStore } from '#lambdas/outbound/sending-account-store';

/** Channel account items in memory, by account id, as the sender reads and marks them. */
export interface FakeSendingAccountStore extends SendingAccountStore {
  accounts: Map<string, Record<string, unknown>>;
}

export function fakeSendingAccountStore(): FakeSendingAccountStore {
  const accounts = new Map<string, Record<string, unknown>>();
  return {
    accounts,
    async readAccount(accountId) {
      const item = accounts.get(accountId);
      return item ? structuredClone(item) : undefined;
    },
    async markNeedsReauthorisation(accountId, auth) {
      accounts.set(accountId, {
        ...accounts.get(accountId),
        needsReauthorisation: true,
        reauthorisationRequiredAt: auth.at,
        lastAuthErrorCode: auth.code,
        lastAuthErrorSubcode: auth.subcode,
      });
    },
  };
}
