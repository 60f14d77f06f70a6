import * as z from 'zod';
import { BUDGET_WARNING_SHARE } from '#lambdas/pricing/budget-ports';
import { MAX_MONTHLY_BUDGET_USD, type BudgetView, type SpendRow, type SpendSummary } from '#lambdas/pricing/api/spend-api-contract';
import { BUDGET_THRESHOLDS, emptyMonthSpend, microsOf, USD_MICROS, type SpendFigure } from '#lambdas/pricing/spend-month';
import type { SpendBudget, SpendStore } from '#lambdas/pricing/spend-store';
import { SpendAdminError } from '#lambdas/pricing/errors';

const cents = (v: number) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6;
export const budgetInputSchema = z.strictObject({
  monthlyBudgetUsd: z
    .number()
    .min(0.01, 'at least 0.01 (USD), or null to remove the budget')
    .max(MAX_MONTHLY_BUDGET_USD, `at most ${MAX_MONTHLY_BUDGET_USD} (USD)`)
    .refine(cents, 'whole cents at most (two decimals)')
    .nullable(),
  expectedVersion: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

const usd = (micros: number) => micros / USD_MICROS;
const rows = <K extends string>(map: Record<string, SpendFigure>, key: K): Array<SpendRow & Record<K, string>> =>
  Object.entries(map)
    .map(([k, f]) => ({ [key]: k, spentUsd: usd(f.micros), messages: f.count }) as SpendRow & Record<K, string>)
    .sort((a, b) => b.spentUsd - a.spentUsd || b.messages - a.messages || String(a[key]).localeCompare(String(b[key])));

export function budgetView(budget: SpendBudget | undefined): BudgetView {
  return {
    monthlyBudgetUsd: budget?.monthlyBudgetMicros !== undefined ? usd(budget.monthlyBudgetMicros) : null,
    currency: 'USD',
    version: budget?.version ?? 0,
    ...(budget?.updatedAt ? { updatedAt: budget.updatedAt } : {}),
    ...(budget?.updatedBy ? { updatedBy: budget.updatedBy } : {}),
  };
}

/** The spend API's use cases over the store: a month's summary, the budget read and saved. */
export function spendAdmin(store: SpendStore) {
  return {
    async summary(businessId: string, month: string): Promise<SpendSummary> {
      const found = await store.budgetAndMonth(businessId, month);
      const spend = found.month ?? emptyMonthSpend(businessId, month);
      const budgetMicros = found.budget?.monthlyBudgetMicros;
      const share = budgetMicros ? spend.spentMicros / budgetMicros : 0;
      return {
        businessId,
        month,
        currency: 'USD',
        ...(spend.rateCardDate ? { rateCardDate: spend.rateCardDate } : {}),
        spentUsd: usd(spend.spentMicros),
        chargedMessages: spend.chargedCount,
        pricedMessages: spend.messageCount,
        budget: budgetView(found.budget),
        share,
        warningShare: BUDGET_WARNING_SHARE,
        saving: budgetMicros !== undefined && share >= BUDGET_WARNING_SHARE,
        thresholds: BUDGET_THRESHOLDS.flatMap((threshold) => {
          const crossed = spend.crossed[threshold];
          return crossed ? [{ threshold, crossedAt: crossed.at, budgetUsd: usd(crossed.budgetMicros) }] : [];
        }),
        byCategory: rows(spend.byCategory, 'category'),
        free: Object.entries(spend.free)
          .map(([type, messages]) => ({ type, messages }))
          .sort((a, b) => b.messages - a.messages),
        unpriced: Object.entries(spend.unpriced)
          .map(([category, messages]) => ({ category, messages }))
          .sort((a, b) => b.messages - a.messages),
        byCountry: rows(spend.byCountry, 'country'),
        byDay: rows(spend.byDay, 'day')
          .map((r) => ({ ...r, day: `${month}-${r.day}` }))
          .sort((a, b) => a.day.localeCompare(b.day)),
        byAccount: rows(spend.byAccount, 'accountId'),
        resolvedConversations: spend.resolvedCount,
        spendPerResolvedUsd: spend.resolvedCount > 0 ? Math.round(spend.spentMicros / spend.resolvedCount) / USD_MICROS : null,
      };
    },

    async budget(businessId: string): Promise<BudgetView> {
      return budgetView(await store.getBudget(businessId));
    },

    async saveBudget(businessId: string, input: z.infer<typeof budgetInputSchema>, actor: string, at: Date): Promise<BudgetView> {
      const micros = input.monthlyBudgetUsd === null ? undefined : microsOf(input.monthlyBudgetUsd);
      const saved = await store.putBudget(businessId, micros, {
        actor,
        at: at.toISOString(),
        ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}),
      });
      if (!saved.ok) {
        throw new SpendAdminError('version_conflict', `The budget changed meanwhile (now version ${saved.currentVersion}); read it again`, {
          currentVersion: saved.currentVersion,
        });
      }
      return budgetView(saved.budget);
    },
  };
}

export type SpendAdmin = ReturnType<typeof spendAdmin>;
