import { BUDGET_THRESHOLDS, type BudgetThreshold, type MonthSpend } from '#lambdas/pricing/spend-month';

/**
 * The thresholds the month's spend has reached and not yet announced at this budget: 80% (the
 * warning, BUDGET_WARNING_SHARE) and 100%. A threshold announced at a lower budget counts as not
 * announced: an admin who raised the budget hears again when the new one is crossed. The check is
 * "reached and not announced", not "this charge moved it across", so a crossing whose announcement
 * failed (the claim is taken back) is announced by the business's next charge.
 */
export function thresholdsToAnnounce(month: Pick<MonthSpend, 'spentMicros' | 'crossed'>, budgetMicros: number | undefined): BudgetThreshold[] {
  if (budgetMicros === undefined || budgetMicros <= 0) return [];
  return BUDGET_THRESHOLDS.filter((threshold) => {
    // Integer arithmetic: spent/budget ≥ t/100 without a float's rounding at the boundary.
    if (month.spentMicros * 100 < budgetMicros * threshold) return false;
    const announced = month.crossed[threshold];
    return !announced || announced.budgetMicros < budgetMicros;
  });
}
