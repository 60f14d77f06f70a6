/**
 * The spend admin API (scope `omnichannel/admin`). Reads (`spend.read`): supervisors, admins, the
 * platform team; the budget (`spend.write`): admins and the platform team. A platform operator
 * names the business with `?businessId=`; anyone else acts on their own business and may name only
 * that one. Amounts are US dollars (the rate card's currency). docs/meta-pricing.md § Spend views.
 */
export const SPEND_ROUTES = {
  /** ?month=yyyy-mm (default: this UTC month) → SpendSummary */
  summary: { method: 'GET', path: '/admin/spend' },
  /** → { budget: BudgetView } */
  getBudget: { method: 'GET', path: '/admin/spend/budget' },
  /** { monthlyBudgetUsd: number (0.01–10,000,000, cents at most) | null to remove, expectedVersion? } → { budget: BudgetView } */
  putBudget: { method: 'PUT', path: '/admin/spend/budget' },
} as const;

export type SpendRoute = (typeof SPEND_ROUTES)[keyof typeof SPEND_ROUTES];

/** The highest monthly budget accepted, in USD. */
export const MAX_MONTHLY_BUDGET_USD = 10_000_000;

export interface BudgetView {
  /** null: no budget (no alarm, the bot never saves messages for it). */
  monthlyBudgetUsd: number | null;
  currency: 'USD';
  /** 0 until a budget was first saved; pass it back as `expectedVersion`. */
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}

export interface SpendRow {
  spentUsd: number;
  messages: number;
}

/** One month of a business's Meta charges, from the running totals (lambdas/pricing/spend-month.ts). */
export interface SpendSummary {
  businessId: string;
  month: string;
  currency: 'USD';
  /** The rate card the month's last priced message used. */
  rateCardDate?: string;
  spentUsd: number;
  /** Messages Meta charged (billable, priced from the card). */
  chargedMessages: number;
  /** Every priced message, free ones included. */
  pricedMessages: number;
  budget: BudgetView;
  /** spent / budget; 0 without a budget. */
  share: number;
  /** From this share the bot prefers fewer messages and the first alarm goes off (0.8). */
  warningShare: number;
  /** Whether the bot is saving messages now (share ≥ warningShare). */
  saving: boolean;
  /** The thresholds announced this month (budget.threshold_crossed), at the budget of that time. */
  thresholds: Array<{ threshold: 80 | 100; crossedAt: string; budgetUsd: number }>;
  /** Charged messages by Meta category, most spent first. */
  byCategory: Array<SpendRow & { category: string }>;
  /** Free messages by Meta's pricing type (free_customer_service, free_entry_point, not_billable). */
  free: Array<{ type: string; messages: number }>;
  /** Billable messages the card has no rate for (e.g. service messages before their rates are on the card). */
  unpriced: Array<{ category: string; messages: number }>;
  byCountry: Array<SpendRow & { country: string }>;
  /** Days of the month with priced messages, in order (`yyyy-mm-dd`). */
  byDay: Array<SpendRow & { day: string }>;
  /** By sending WhatsApp number (phone number id). */
  byAccount: Array<SpendRow & { accountId: string }>;
  /** Conversations resolved this month (closed resolved or converted by a person, resolved_by_bot). */
  resolvedConversations: number;
  /** spent / resolved conversations; null with none resolved. */
  spendPerResolvedUsd: number | null;
}
