import type { AccountHealthStore, RegistryKey } from '#lambdas/accounts/account-registry-store';
import type { BusinessAccount, ChannelAccount } from '#lambdas/accounts/channel-account';

/**
 * The registry in memory, as the account-health use case sees it: items by `pk|sk`, the same
 * newest-wins rules as the DynamoDB store (account-registry-store.ts), and every write logged.
 */
export function fakeAccountHealthStore(seed: { accounts?: ChannelAccount[]; wabas?: BusinessAccount[]; notes?: Record<string, Record<string, unknown>> } = {}) {
  const items = new Map<string, Record<string, unknown>>();
  const id = (key: RegistryKey) => `${key.pk}|${key.sk}`;
  for (const a of seed.accounts ?? []) items.set(`ACCT#${a.accountId}|ACCOUNT`, { ...a });
  for (const w of seed.wabas ?? []) items.set(`WABA#${w.wabaId}|WABA`, { ...w });
  const writes: string[] = [];
  const store: AccountHealthStore = {
    notification: async (accountId, eventId) => seed.notes?.[`${accountId}/${eventId}`],
    findAccount: async (accountId) => items.get(`ACCT#${accountId}|ACCOUNT`) as ChannelAccount | undefined,
    findWaba: async (wabaId) => items.get(`WABA#${wabaId}|WABA`) as BusinessAccount | undefined,
    async *wabaNumberPages(businessId, wabaId) {
      yield [...items.values()].filter((i) => i.channel === 'whatsapp' && i.businessId === businessId && i.wabaId === wabaId);
    },
    async applyHealthChange(key, change, version, occurredAt) {
      const item = items.get(id(key));
      const current = item?.[change.versionAttribute];
      if (!item || (typeof current === 'string' && current >= version)) return false;
      Object.assign(item, change.set, { [change.versionAttribute]: version });
      for (const r of change.remove ?? []) if (!(r in change.set)) delete item[r];
      if (typeof item.healthUpdatedAt !== 'string' || item.healthUpdatedAt < occurredAt) item.healthUpdatedAt = occurredAt;
      writes.push(`${change.versionAttribute} ${key.pk}`);
      return true;
    },
    async followStanding(key, version, status) {
      const item = items.get(id(key));
      if (!item || item.standingVersion !== version || !['active', 'restricted', 'disabled'].includes(String(item.status))) return;
      item.status = status;
      writes.push(`status ${key.pk} ${status}`);
    },
  };
  return { store, items, writes };
}
