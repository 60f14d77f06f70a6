/**
 * A business's monthly Meta budget as other modules see it (implemented in lambdas/pricing/ by the
 * spend module). The campaign release loop pauses a campaign when the month's budget is spent; the
 * bot sends fewer messages once 80% is spent (docs/meta-pricing.md § Budgets).
 */
export interface BudgetStanding {
  /** The month's budget in millionths of the rate card's currency; undefined when none is set. */
  budgetMicros?: number;
  /** Meta's charges recorded so far this month (UTC month), in millionths. */
  spentMicros: number;
  /** spent / budget, 0 when no budget is set. */
  share: number;
}

export interface BudgetGate {
  /** The business's standing for the month containing `now`. */
  standing(businessId: string, now: Date): Promise<BudgetStanding>;
}

/** The share of the budget at which the bot starts saving messages and the first alarm goes off. */
export const BUDGET_WARNING_SHARE = 0.8;
