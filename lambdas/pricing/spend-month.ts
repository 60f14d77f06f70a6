import type { MessageCharge } from '#lambdas/pricing/whatsapp-message-charge';

/**
 * A business's Meta spend in one UTC month, kept as running totals on one item (`MonthSpend`,
 * spend-keys.ts) that every priced message adds to with one UpdateItem of atomic ADDs.
 *
 * The totals are flat attributes, not maps: DynamoDB cannot ADD to `byCategory.marketing` before
 * the map exists, and creating it first would cost a second write per message. Each name is
 * `<group>#<key>#micros` (millionths of a US dollar, integers: no float drift over a month of
 * adds) or `<group>#<key>#n` (messages):
 *
 *   spentMicros, chargedCount      charged messages (billable, with a rate) and what they cost
 *   messageCount                   every priced message, free ones included
 *   cat#<category>#micros|n        charged messages by Meta category (marketing, utility, authentication, service…)
 *   free#<type>#n                  free messages by Meta's pricing type (free_customer_service, free_entry_point, not_billable)
 *   unpriced#<category>#n          billable messages without a rate on the card (or CBP: charged per conversation)
 *   cty#<ISO country>#micros|n     by the recipient's country (ZZ: unknown)
 *   day#<dd>#micros|n              by UTC day of the month
 *   acct#<phone number id>#micros|n by sending WhatsApp number
 *   resolvedCount                  conversations resolved this month (resolved, converted, resolved_by_bot)
 *   crossed80At, crossed80BudgetMicros, crossed100At, crossed100BudgetMicros   thresholds announced (budget-thresholds.ts)
 */
export interface SpendFigure {
  micros: number;
  count: number;
}

export interface MonthSpend {
  businessId: string;
  month: string;
  spentMicros: number;
  chargedCount: number;
  messageCount: number;
  byCategory: Record<string, SpendFigure>;
  free: Record<string, number>;
  unpriced: Record<string, number>;
  byCountry: Record<string, SpendFigure>;
  /** Keyed by the day of the month, `01`…`31`. */
  byDay: Record<string, SpendFigure>;
  byAccount: Record<string, SpendFigure>;
  resolvedCount: number;
  crossed: Partial<Record<BudgetThreshold, { at: string; budgetMicros: number }>>;
  rateCardDate?: string;
  updatedAt?: string;
}

export const BUDGET_THRESHOLDS = [80, 100] as const;
export type BudgetThreshold = (typeof BUDGET_THRESHOLDS)[number];

/** The free pricing types (whatsapp-message-charge.ts), shown as free with their counts. */
export const FREE_TYPES = ['free_customer_service', 'free_entry_point', 'not_billable'] as const;

export const USD_MICROS = 1_000_000;
export const microsOf = (usd: number): number => Math.round(usd * USD_MICROS);

/** What one priced message adds to its month: attribute name → amount. */
export interface SpendDelta {
  micros: number;
  adds: Record<string, number>;
}

const LABEL = /^[a-z][a-z0-9_]{0,39}$/;
const COUNTRY = /^[A-Z]{2}$/;
const ACCOUNT = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The adds of one priced message. Every key part is checked again here (they end up in attribute
 * names): a category or type that is not a short label becomes `unknown`, a country that is not two
 * capitals `ZZ`, an account id that is not a plain id `other`.
 */
export function spendDelta(charge: MessageCharge, where: { accountId?: string; at: string }): SpendDelta {
  const category = LABEL.test(charge.metaCategory) ? charge.metaCategory : 'unknown';
  const type = LABEL.test(charge.metaPricingType) ? charge.metaPricingType : 'unknown';
  const country = charge.recipientCountry && COUNTRY.test(charge.recipientCountry) ? charge.recipientCountry : 'ZZ';
  const account = where.accountId && ACCOUNT.test(where.accountId) ? where.accountId : 'other';
  const day = /^\d{4}-\d\d-(\d\d)/.exec(where.at)?.[1] ?? '00';
  const free = charge.metaChargeUsd === 0 && !charge.metaBillable;
  const charged = !free && charge.metaChargeUsd !== undefined;
  const micros = charged ? Math.max(0, microsOf(charge.metaChargeUsd!)) : 0;
  const adds: Record<string, number> = {
    messageCount: 1,
    [`cty#${country}#n`]: 1,
    [`day#${day}#n`]: 1,
    [`acct#${account}#n`]: 1,
  };
  if (free) adds[`free#${type}#n`] = 1;
  else if (!charged) adds[`unpriced#${category}#n`] = 1;
  else {
    Object.assign(adds, {
      spentMicros: micros,
      chargedCount: 1,
      [`cat#${category}#micros`]: micros,
      [`cat#${category}#n`]: 1,
      [`cty#${country}#micros`]: micros,
      [`day#${day}#micros`]: micros,
      [`acct#${account}#micros`]: micros,
    });
  }
  return { micros, adds };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The MonthSpend item as read back (flat attributes → maps). */
export function monthSpendOf(item: Record<string, unknown>, fallback: { businessId: string; month: string }): MonthSpend {
  const spend: MonthSpend = {
    businessId: typeof item.businessId === 'string' ? item.businessId : fallback.businessId,
    month: typeof item.month === 'string' ? item.month : fallback.month,
    spentMicros: num(item.spentMicros),
    chargedCount: num(item.chargedCount),
    messageCount: num(item.messageCount),
    byCategory: {},
    free: {},
    unpriced: {},
    byCountry: {},
    byDay: {},
    byAccount: {},
    resolvedCount: num(item.resolvedCount),
    crossed: {},
    ...(typeof item.rateCardDate === 'string' ? { rateCardDate: item.rateCardDate } : {}),
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
  };
  const figure = (map: Record<string, SpendFigure>, key: string) => (map[key] ??= { micros: 0, count: 0 });
  for (const [name, value] of Object.entries(item)) {
    const [group, key, what] = name.split('#');
    if (key === undefined || what === undefined) continue;
    const map =
      group === 'cat' ? spend.byCategory : group === 'cty' ? spend.byCountry : group === 'day' ? spend.byDay : group === 'acct' ? spend.byAccount : undefined;
    if (map) figure(map, key)[what === 'micros' ? 'micros' : 'count'] = num(value);
    else if (group === 'free' && what === 'n') spend.free[key] = num(value);
    else if (group === 'unpriced' && what === 'n') spend.unpriced[key] = num(value);
  }
  for (const threshold of BUDGET_THRESHOLDS) {
    const at = item[`crossed${threshold}At`];
    if (typeof at === 'string') spend.crossed[threshold] = { at, budgetMicros: num(item[`crossed${threshold}BudgetMicros`]) };
  }
  return spend;
}

export function emptyMonthSpend(businessId: string, month: string): MonthSpend {
  return monthSpendOf({}, { businessId, month });
}
