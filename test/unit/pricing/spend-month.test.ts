import { describe, expect, it } from 'vitest';
import { thresholdsToAnnounce } from '#lambdas/pricing/budget-thresholds';
import { daysInMonth, isMonth, monthOf } from '#lambdas/pricing/spend-keys';
import { emptyMonthSpend, monthSpendOf, spendDelta } from '#lambdas/pricing/spend-month';
import type { MessageCharge } from '#lambdas/pricing/whatsapp-message-charge';

const AT = '2026-11-21T10:00:02.000Z';
const charge = (over: Partial<MessageCharge>): MessageCharge => ({
  metaPricingModel: 'PMP',
  metaCategory: 'marketing',
  metaPricingType: 'regular',
  metaBillable: true,
  recipientCountry: 'BR',
  rateMarket: 'BR',
  metaChargeUsd: 0.0625,
  rateCardDate: '2026-04-01',
  ...over,
});

describe('spendDelta', () => {
  it('adds a charged message to the totals, its category, country, day and number, in whole micros', () => {
    expect(spendDelta(charge({}), { accountId: '100', at: AT })).toEqual({
      micros: 62_500,
      adds: {
        messageCount: 1,
        spentMicros: 62_500,
        chargedCount: 1,
        'cat#marketing#micros': 62_500,
        'cat#marketing#n': 1,
        'cty#BR#micros': 62_500,
        'cty#BR#n': 1,
        'day#21#micros': 62_500,
        'day#21#n': 1,
        'acct#100#micros': 62_500,
        'acct#100#n': 1,
      },
    });
    // 0.0068 × 10⁶ is 6799.999… in floating point: stored as 6800.
    expect(spendDelta(charge({ metaCategory: 'utility', metaChargeUsd: 0.0068 }), { at: AT }).micros).toBe(6_800);
  });

  it('counts free messages by type and unpriced ones by category, with nothing spent', () => {
    const free = spendDelta(charge({ metaCategory: 'service', metaPricingType: 'free_customer_service', metaBillable: false, metaChargeUsd: 0 }), {
      accountId: '100',
      at: AT,
    });
    expect(free.micros).toBe(0);
    expect(free.adds).toEqual({ messageCount: 1, 'free#free_customer_service#n': 1, 'cty#BR#n': 1, 'day#21#n': 1, 'acct#100#n': 1 });
    const unpriced = spendDelta(charge({ metaCategory: 'service', metaChargeUsd: undefined }), { at: AT });
    expect(unpriced.adds).toMatchObject({ 'unpriced#service#n': 1 });
    expect(unpriced.adds.spentMicros).toBeUndefined();
    const cbp = spendDelta(charge({ metaPricingModel: 'CBP', metaPricingType: 'conversation', metaChargeUsd: undefined }), { at: AT });
    expect(cbp.adds).toMatchObject({ 'unpriced#marketing#n': 1 });
  });

  it('keeps hostile parts out of attribute names', () => {
    const odd = spendDelta(charge({ metaCategory: 'a#b', metaPricingType: 'x y', recipientCountry: 'br', metaChargeUsd: 0.01 }), {
      accountId: '1#2',
      at: 'not a time',
    });
    expect(Object.keys(odd.adds).sort()).toEqual(
      [
        'acct#other#micros',
        'acct#other#n',
        'cat#unknown#micros',
        'cat#unknown#n',
        'chargedCount',
        'cty#ZZ#micros',
        'cty#ZZ#n',
        'day#00#micros',
        'day#00#n',
        'messageCount',
        'spentMicros',
      ].sort(),
    );
  });
});

describe('monthSpendOf', () => {
  it('reads the flat totals back as maps, with the thresholds announced', () => {
    const month = monthSpendOf(
      {
        businessId: 'acme',
        month: '2026-11',
        spentMicros: 69_300,
        chargedCount: 2,
        messageCount: 3,
        'cat#marketing#micros': 62_500,
        'cat#marketing#n': 1,
        'cat#utility#micros': 6_800,
        'cat#utility#n': 1,
        'free#free_entry_point#n': 1,
        'unpriced#service#n': 4,
        'cty#BR#micros': 69_300,
        'cty#BR#n': 3,
        'day#21#micros': 69_300,
        'day#21#n': 3,
        resolvedCount: 2,
        crossed80At: AT,
        crossed80BudgetMicros: 80_000,
        rateCardDate: '2026-04-01',
      },
      { businessId: 'x', month: 'y' },
    );
    expect(month).toMatchObject({
      businessId: 'acme',
      spentMicros: 69_300,
      chargedCount: 2,
      messageCount: 3,
      resolvedCount: 2,
      byCategory: { marketing: { micros: 62_500, count: 1 }, utility: { micros: 6_800, count: 1 } },
      free: { free_entry_point: 1 },
      unpriced: { service: 4 },
      byCountry: { BR: { micros: 69_300, count: 3 } },
      byDay: { '21': { micros: 69_300, count: 3 } },
      crossed: { 80: { at: AT, budgetMicros: 80_000 } },
      rateCardDate: '2026-04-01',
    });
    expect(emptyMonthSpend('acme', '2026-11')).toMatchObject({ spentMicros: 0, byCategory: {}, crossed: {} });
  });
});

describe('thresholdsToAnnounce', () => {
  const month = (spentMicros: number, crossed = {}) => ({ spentMicros, crossed });
  it('names each threshold reached and not yet announced at this budget', () => {
    expect(thresholdsToAnnounce(month(79_999_999), 100_000_000)).toEqual([]);
    expect(thresholdsToAnnounce(month(80_000_000), 100_000_000)).toEqual([80]);
    expect(thresholdsToAnnounce(month(100_000_000), 100_000_000)).toEqual([80, 100]);
    expect(thresholdsToAnnounce(month(100_000_000, { 80: { at: AT, budgetMicros: 100_000_000 } }), 100_000_000)).toEqual([100]);
    expect(thresholdsToAnnounce(month(1e12), undefined)).toEqual([]);
  });
  it('announces again after the budget was raised, not after it was lowered', () => {
    const crossed = { 80: { at: AT, budgetMicros: 50_000_000 } };
    expect(thresholdsToAnnounce(month(90_000_000, crossed), 100_000_000)).toEqual([80]);
    expect(thresholdsToAnnounce(month(45_000_000, crossed), 40_000_000)).toEqual([100]);
  });
});

describe('months', () => {
  it('are UTC months', () => {
    expect(monthOf('2026-11-30T23:59:59.999-03:00')).toBe('2026-12');
    expect(monthOf(new Date('2026-02-01T00:00:00Z'))).toBe('2026-02');
    expect(isMonth('2026-13')).toBe(false);
    expect(isMonth('2026-1')).toBe(false);
    expect(isMonth('2026-01')).toBe(true);
    expect(daysInMonth('2028-02')).toBe(29);
  });
});
