import { describe, expect, it } from 'vitest';
import { budgetBar, budgetInput, categoryRows, formatUsd, freeRows, monthName, shiftMonth } from '../../../console/src/lib/spend-figures.ts';

describe('the Spend screen figures', () => {
  it('lists service, utility, marketing and authentication always, with what has no rate yet', () => {
    const rows = categoryRows({
      byCategory: [
        { category: 'marketing', spentUsd: 0.0625, messages: 1 },
        { category: 'marketing_lite', spentUsd: 0.06, messages: 1 },
      ],
      unpriced: [{ category: 'service', messages: 3 }],
    });
    expect(rows).toEqual([
      { category: 'service', spentUsd: 0, charged: 0, unpriced: 3 },
      { category: 'utility', spentUsd: 0, charged: 0, unpriced: 0 },
      { category: 'marketing', spentUsd: 0.0625, charged: 1, unpriced: 0 },
      { category: 'authentication', spentUsd: 0, charged: 0, unpriced: 0 },
      { category: 'marketing_lite', spentUsd: 0.06, charged: 1, unpriced: 0 },
    ]);
    expect(
      freeRows({
        free: [
          { type: 'not_billable', messages: 2 },
          { type: 'free_entry_point', messages: 5 },
        ],
      }),
    ).toEqual([
      { type: 'free_customer_service', messages: 0 },
      { type: 'free_entry_point', messages: 5 },
      { type: 'not_billable', messages: 2 },
    ]);
  });

  it('draws the budget bar with both marks visible, also past the budget', () => {
    const budget = { monthlyBudgetUsd: 100, currency: 'USD' as const, version: 1 };
    expect(budgetBar({ share: 0.5, warningShare: 0.8, budget })).toEqual({
      state: 'ok',
      fill: 50,
      marks: [
        { at: 80, left: 80 },
        { at: 100, left: 100 },
      ],
      percent: 50,
    });
    expect(budgetBar({ share: 0.85, warningShare: 0.8, budget }).state).toBe('warning');
    expect(budgetBar({ share: 1.25, warningShare: 0.8, budget })).toEqual({
      state: 'over',
      fill: 100,
      marks: [
        { at: 80, left: 64 },
        { at: 100, left: 80 },
      ],
      percent: 125,
    });
    expect(budgetBar({ share: 0, warningShare: 0.8, budget: { ...budget, monthlyBudgetUsd: null } }).state).toBe('none');
  });

  it('reads the budget as a person types it, in either decimal style', () => {
    expect(budgetInput('250')).toEqual({ ok: true, value: 250 });
    expect(budgetInput('1.250,50')).toEqual({ ok: true, value: 1250.5 });
    expect(budgetInput('1,250.50')).toEqual({ ok: true, value: 1250.5 });
    expect(budgetInput(' ')).toEqual({ ok: true, value: null });
    for (const bad of ['-5', '0', '12.345', 'abc', '99999999999', '1e6']) expect(budgetInput(bad), bad).toEqual({ ok: false });
  });

  it('formats dollars with cents, and fractions of a cent below a dollar', () => {
    expect(formatUsd(1234.5, 'en')).toBe('$1,234.50');
    expect(formatUsd(0.0068, 'en')).toBe('$0.0068');
    expect(formatUsd(0, 'en')).toBe('$0.00');
    expect(formatUsd(null, 'en')).toBe('–');
    expect(formatUsd(12.5, 'pt')).toContain('12,50');
  });

  it('moves between months', () => {
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(monthName('2026-11', 'en')).toBe('November 2026');
  });
});
