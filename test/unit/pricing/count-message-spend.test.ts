import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { budgetThresholdCrossedSchema } from '#lambdas/pricing/budget-threshold-crossed';
import { messageSpendCounter, type MessageSpendDeps } from '#lambdas/pricing/count-message-spend';
import type { MessageCharge } from '#lambdas/pricing/whatsapp-message-charge';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { inMemorySpendStore } from '#test/helpers/in-memory-spend-store';
import { SpendNotCountedError } from '#lambdas/pricing/errors';

const MARKETING: MessageCharge = {
  metaPricingModel: 'PMP',
  metaCategory: 'marketing',
  metaPricingType: 'regular',
  metaBillable: true,
  recipientCountry: 'BR',
  rateMarket: 'BR',
  metaChargeUsd: 0.25,
  rateCardDate: '2026-04-01',
};
const FREE: MessageCharge = {
  metaPricingModel: 'PMP',
  metaCategory: 'service',
  metaPricingType: 'free_customer_service',
  metaBillable: false,
  recipientCountry: 'BR',
  metaChargeUsd: 0,
  rateCardDate: '2026-04-01',
};

function world(budgetUsd?: number) {
  const store = inMemorySpendStore();
  const published: DomainEvent[] = [];
  const crossed: number[] = [];
  let failPublish = false;
  const deps: MessageSpendDeps = {
    store,
    publisher: {
      publish: async (events) => {
        if (failPublish) throw new Error('bus down');
        published.push(...events);
      },
    },
    businessOfAccount: async (accountId) => ({ '100': 'acme', '200': 'other' })[accountId],
    budgetOf: async () => (budgetUsd === undefined ? undefined : budgetUsd * 1_000_000),
    onThresholdCrossed: (t) => crossed.push(t),
  };
  return { store, published, crossed, counter: messageSpendCounter(deps), failPublishing: (on: boolean) => (failPublish = on) };
}

const AT = (n: number) => `2026-11-21T10:00:${String(n).padStart(2, '0')}.000Z`;

describe('messageSpendCounter', () => {
  it("adds each priced message to its business's month, found through the account", async () => {
    const w = world();
    await w.counter.count({ accountId: '100' }, MARKETING, AT(1));
    await w.counter.count({ accountId: '100' }, FREE, AT(2));
    await w.counter.count({ accountId: '200' }, MARKETING, AT(3));
    const acme = await w.store.getMonth('acme', '2026-11');
    expect(acme).toMatchObject({
      spentMicros: 250_000,
      chargedCount: 1,
      messageCount: 2,
      free: { free_customer_service: 1 },
      byAccount: { '100': { micros: 250_000, count: 2 } },
    });
    expect((await w.store.getMonth('other', '2026-11'))?.spentMicros).toBe(250_000);
  });

  it('counts nothing for a message of no known business', async () => {
    const w = world();
    expect(await w.counter.count({ accountId: '999' }, MARKETING, AT(1))).toEqual({ counted: false, reason: 'no_business' });
    expect(w.store.months.size).toBe(0);
  });

  it('announces 80% and 100% once each, with a valid event, however many charges follow', async () => {
    const w = world(1); // a budget of one dollar: four marketing messages
    const announced: number[][] = [];
    for (let i = 1; i <= 6; i++) {
      const out = await w.counter.count({ accountId: '100' }, MARKETING, AT(i));
      if (out.counted) announced.push(out.announced);
    }
    expect(announced).toEqual([[], [], [], [80, 100], [], []]);
    expect(w.published.map((e) => [e.source, e.detailType, e.detail.threshold])).toEqual([
      [EVENT_SOURCE.spend, DETAIL_TYPE.budgetThresholdCrossed, 80],
      [EVENT_SOURCE.spend, DETAIL_TYPE.budgetThresholdCrossed, 100],
    ]);
    for (const e of w.published)
      expect(budgetThresholdCrossedSchema.parse(e.detail)).toMatchObject({
        businessId: 'acme',
        month: '2026-11',
        budgetMicros: 1_000_000,
        spentMicros: 1_000_000,
      });
    expect(w.crossed).toEqual([80, 100]);
  });

  it('free messages never move the budget nor announce anything', async () => {
    const w = world(0.01);
    for (let i = 1; i <= 3; i++) await w.counter.count({ accountId: '100' }, FREE, AT(i));
    expect(w.published).toEqual([]);
  });

  it('a crossing whose event could not be published is announced by the next charge', async () => {
    const w = world(0.5);
    await w.counter.count({ accountId: '100' }, MARKETING, AT(1));
    w.failPublishing(true);
    await expect(w.counter.count({ accountId: '100' }, MARKETING, AT(2))).rejects.toThrow('bus down');
    expect((await w.store.getMonth('acme', '2026-11'))?.crossed).toEqual({});
    w.failPublishing(false);
    const next = await w.counter.count({ accountId: '100' }, MARKETING, AT(3));
    expect(next).toMatchObject({ counted: true, announced: [80, 100] });
    expect(w.published).toHaveLength(2);
  });

  it("adds a campaign send's charge to its campaign, never to another business's", async () => {
    const w = world();
    w.store.campaigns.set('acme|cmp_1', 0);
    w.store.campaigns.set('other|cmp_2', 0);
    expect(await w.counter.count({ accountId: '100', campaignId: 'cmp_1', campaignBusinessId: 'acme' }, MARKETING, AT(1))).toMatchObject({
      campaign: 'counted',
    });
    expect(await w.counter.count({ accountId: '100', campaignId: 'cmp_2', campaignBusinessId: 'other' }, MARKETING, AT(2))).toMatchObject({
      campaign: 'other_business',
    });
    expect(await w.counter.count({ accountId: '100', campaignId: 'cmp_gone', campaignBusinessId: 'acme' }, MARKETING, AT(3))).toMatchObject({
      campaign: 'not_found',
    });
    expect(await w.counter.count({ accountId: '100', campaignId: 'cmp_1', campaignBusinessId: 'acme' }, FREE, AT(4))).not.toHaveProperty('campaign');
    expect(w.store.campaigns.get('acme|cmp_1')).toBe(250_000);
    expect(w.store.campaigns.get('other|cmp_2')).toBe(0);
  });

  it("says when the month's add failed, so the caller can take the price back", async () => {
    const w = world();
    w.store.failNextAdd = new Error('throttled');
    const err = await w.counter.count({ accountId: '100' }, MARKETING, AT(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpendNotCountedError);
    expect((err as Error).cause).toMatchObject({ message: 'throttled' });
  });
});
