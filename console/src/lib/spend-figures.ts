/**
 * What the Spend screen shows, from the spend API's summary (lambdas/pricing/api/spend-api-contract.ts).
 * Pure: unit-tested without a browser.
 */
import type { SpendSummary } from '../../../lambdas/pricing/api/spend-api-contract.ts';

export type { SpendSummary };

const LOCALES: Record<string, string> = { es: 'es', pt: 'pt-BR', en: 'en-US' };

/** US dollars in the person's language: cents for amounts from a dollar, four decimals below (one message costs fractions of a cent). */
export function formatUsd(value: number | null | undefined, language: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  const small = Math.abs(value) > 0 && Math.abs(value) < 1;
  return new Intl.NumberFormat(LOCALES[language] ?? 'en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: small ? 4 : 2,
  }).format(value);
}

export function formatCount(value: number, language: string): string {
  return new Intl.NumberFormat(LOCALES[language] ?? 'en-US').format(value);
}

/** Meta's categories the screen always lists, charged or not (docs/meta-pricing.md). */
export const MAIN_CATEGORIES = ['service', 'utility', 'marketing', 'authentication'] as const;

export interface CategoryRow {
  category: string;
  spentUsd: number;
  charged: number;
  /** Billable messages without a rate on the card (shown as "no rate yet"). */
  unpriced: number;
}

/** The four main categories first (zero when absent), then any other Meta reported. */
export function categoryRows(summary: Pick<SpendSummary, 'byCategory' | 'unpriced'>): CategoryRow[] {
  const seen = [...MAIN_CATEGORIES, ...summary.byCategory.map((r) => r.category), ...summary.unpriced.map((r) => r.category)];
  return [...new Set(seen)].map((category) => {
    const charged = summary.byCategory.find((r) => r.category === category);
    return {
      category,
      spentUsd: charged?.spentUsd ?? 0,
      charged: charged?.messages ?? 0,
      unpriced: summary.unpriced.find((r) => r.category === category)?.messages ?? 0,
    };
  });
}

/** Free messages by kind; the two Meta names (free service replies, free entry point) always listed. */
export function freeRows(summary: Pick<SpendSummary, 'free'>): Array<{ type: string; messages: number }> {
  const types = [...new Set(['free_customer_service', 'free_entry_point', ...summary.free.map((r) => r.type)])];
  return types.map((type) => ({ type, messages: summary.free.find((r) => r.type === type)?.messages ?? 0 }));
}

export interface BudgetBar {
  /** No budget set: no bar. */
  state: 'none' | 'ok' | 'warning' | 'over';
  /** 0–100: how much of the bar is filled. */
  fill: number;
  /** Where the 80% and 100% marks sit on the bar (0–100). */
  marks: Array<{ at: 80 | 100; left: number }>;
  /** Spent as a whole percentage of the budget. */
  percent: number;
}

/**
 * The budget bar: the budget is at 100% of the bar until the spend goes past it, then the bar's
 * end is the spend and the marks move left, so both marks stay visible and the overrun shows.
 */
export function budgetBar(summary: Pick<SpendSummary, 'share' | 'warningShare' | 'budget'>): BudgetBar {
  if (summary.budget.monthlyBudgetUsd === null) return { state: 'none', fill: 0, marks: [], percent: 0 };
  const share = Number.isFinite(summary.share) && summary.share > 0 ? summary.share : 0;
  const scale = Math.max(1, share);
  const at = (s: number) => Math.round((s / scale) * 1000) / 10;
  return {
    state: share >= 1 ? 'over' : share >= summary.warningShare ? 'warning' : 'ok',
    fill: at(share),
    marks: [
      { at: 80, left: at(summary.warningShare) },
      { at: 100, left: at(1) },
    ],
    percent: Math.round(share * 100),
  };
}

/** The month before or after `yyyy-mm`. */
export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}

/** A month's name in the person's language ("November 2026"). */
export function monthName(month: string, language: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(LOCALES[language] ?? 'en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** What the budget field holds, as the API takes it: a positive amount with cents at most, or null (no budget). */
export function budgetInput(text: string): { ok: true; value: number | null } | { ok: false } {
  const clean = text.trim().replace(/\s/g, '');
  if (clean === '') return { ok: true, value: null };
  // Either separator for the cents: "1.234,56" and "1,234.56" are both read as 1234.56.
  const normalised = /,\d{1,2}$/.test(clean) ? clean.replace(/\./g, '').replace(',', '.') : clean.replace(/,/g, '');
  if (!/^\d{1,8}(\.\d{1,2})?$/.test(normalised)) return { ok: false };
  const value = Number(normalised);
  return value > 0 && value <= 10_000_000 ? { ok: true, value } : { ok: false };
}
