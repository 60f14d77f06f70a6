import { monthSpendOf, type MonthSpend } from '#lambdas/pricing/spend-month';
import type { SpendBudget, SpendStore } from '#lambdas/pricing/spend-store';

/** The spend store in memory, with the DynamoDB store's conditions, for unit tests of the use cases. */
export function inMemorySpendStore(): SpendStore & { months: Map<string, Record<string, unknown>>; campaigns: Map<string, number>; failNextAdd?: Error } {
  const months = new Map<string, Record<string, unknown>>();
  const budgets = new Map<string, SpendBudget>();
  const campaigns = new Map<string, number>();
  const marks = new Set<string>();
  const key = (b: string, m: string) => `${b}|${m}`;
  const month = (b: string, m: string): MonthSpend | undefined => {
    const item = months.get(key(b, m));
    return item ? monthSpendOf(item, { businessId: b, month: m }) : undefined;
  };
  const store: SpendStore & { months: typeof months; campaigns: typeof campaigns; failNextAdd?: Error } = {
    months,
    campaigns,
    async addToMonth(b, m, delta, at, card) {
      if (store.failNextAdd) {
        const err = store.failNextAdd;
        delete store.failNextAdd;
        throw err;
      }
      const item = months.get(key(b, m)) ?? { businessId: b, month: m };
      for (const [name, amount] of Object.entries(delta.adds)) item[name] = ((item[name] as number | undefined) ?? 0) + amount;
      Object.assign(item, { updatedAt: at, rateCardDate: card });
      months.set(key(b, m), item);
      return month(b, m)!;
    },
    async claimThreshold(b, m, t, budget, at) {
      const item = months.get(key(b, m));
      if (!item) return false;
      const prior = item[`crossed${t}BudgetMicros`] as number | undefined;
      if (item[`crossed${t}At`] !== undefined && (prior ?? 0) >= budget) return false;
      Object.assign(item, { [`crossed${t}At`]: at, [`crossed${t}BudgetMicros`]: budget });
      return true;
    },
    async releaseThreshold(b, m, t, at) {
      const item = months.get(key(b, m));
      if (item?.[`crossed${t}At`] === at) {
        delete item[`crossed${t}At`];
        delete item[`crossed${t}BudgetMicros`];
      }
    },
    async addCampaignSpend(b, c, micros) {
      if (!campaigns.has(`${b}|${c}`)) return false;
      campaigns.set(`${b}|${c}`, campaigns.get(`${b}|${c}`)! + micros);
      return true;
    },
    async countResolved(b, m, conversationKey, at) {
      const mark = `${b}|${m}|${conversationKey}|${at}`;
      if (marks.has(mark)) return false;
      marks.add(mark);
      const item = months.get(key(b, m)) ?? { businessId: b, month: m };
      item.resolvedCount = ((item.resolvedCount as number | undefined) ?? 0) + 1;
      months.set(key(b, m), item);
      return true;
    },
    async getMonth(b, m) {
      return month(b, m);
    },
    async getBudget(b) {
      return budgets.get(b);
    },
    async budgetAndMonth(b, m) {
      const budget = budgets.get(b);
      const found = month(b, m);
      return { ...(budget ? { budget } : {}), ...(found ? { month: found } : {}) };
    },
    async putBudget(b, micros, by) {
      const current = budgets.get(b);
      const version = current?.version ?? 0;
      if (by.expectedVersion !== undefined && by.expectedVersion !== version) return { ok: false, currentVersion: version };
      const budget: SpendBudget = {
        businessId: b,
        ...(micros !== undefined ? { monthlyBudgetMicros: micros } : {}),
        currency: 'USD',
        version: version + 1,
        updatedAt: by.at,
        updatedBy: by.actor,
      };
      budgets.set(b, budget);
      return { ok: true, budget };
    },
  };
  return store;
}
