import type { BudgetGate, BudgetStanding } from '#lambdas/pricing/budget-ports';
import { monthOf } from '#lambdas/pricing/spend-keys';
import type { SpendStore } from '#lambdas/pricing/spend-store';
import { promiseCache } from '#lambdas/shared/promise-cache';

/** How long a Lambda keeps a business's standing or budget: one read a minute per business at most. */
export const BUDGET_CACHE_TTL_MS = 60_000;

/** The standing read from the table: the budget and the month's running total in one BatchGetItem. */
export function dynamoBudgetGate(store: SpendStore): BudgetGate {
  return {
    async standing(businessId, now) {
      const { budget, month } = await store.budgetAndMonth(businessId, monthOf(now));
      return standingOf(budget?.monthlyBudgetMicros, month?.spentMicros ?? 0);
    },
  };
}

export function standingOf(budgetMicros: number | undefined, spentMicros: number): BudgetStanding {
  return {
    ...(budgetMicros !== undefined && budgetMicros > 0 ? { budgetMicros } : {}),
    spentMicros,
    share: budgetMicros !== undefined && budgetMicros > 0 ? spentMicros / budgetMicros : 0,
  };
}

/**
 * A gate that asks the inner one at most once a minute per business and month (the bot reads the
 * standing on every conversation turn; the release loop on every tick). Concurrent asks share one
 * read; a failed read is not kept.
 */
export function cachedBudgetGate(inner: BudgetGate, options: { ttlMs?: number; maxEntries?: number; nowMs?: () => number } = {}): BudgetGate {
  const cache = promiseCache<BudgetStanding>({
    ttlMs: options.ttlMs ?? BUDGET_CACHE_TTL_MS,
    maxEntries: options.maxEntries ?? 2_000,
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });
  return {
    standing: (businessId, now) => cache.get(`${businessId}|${monthOf(now)}`, () => inner.standing(businessId, now)),
  };
}

/** The budget alone (the charge recorder compares each month total with it), kept a minute per business. */
export function cachedBudgets(store: SpendStore, options: { ttlMs?: number; maxEntries?: number } = {}): (businessId: string) => Promise<number | undefined> {
  const cache = promiseCache<number | undefined>({ ttlMs: options.ttlMs ?? BUDGET_CACHE_TTL_MS, maxEntries: options.maxEntries ?? 2_000 });
  return (businessId) => cache.get(businessId, async () => (await store.getBudget(businessId))?.monthlyBudgetMicros);
}
