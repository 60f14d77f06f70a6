import { describe, expect, it } from 'vitest';
import { inMemoryCampaignStore } from '#lambdas/campaigns/in-memory-campaign-store';
import { kickOnChange, watchCampaigns } from '#lambdas/campaigns/campaign-watchdog';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { BUSINESS, CAMPAIGN_ID, campaign, inMemoryCounter, recordingTicks } from '#test/helpers/campaign-release-fakes';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
const OTHER = 'cmp_01HZY0000000000000000000CD';
const ENDED = 'cmp_01HZY0000000000000000000EF';

async function setUp() {
  const store = inMemoryCampaignStore();
  await store.create(campaign({ state: 'running' }));
  await store.putRelease(BUSINESS, CAMPAIGN_ID, { nextSeq: 100, total: 500, tick: 7, lastTickAt: secondsAgo(200) });
  await store.create(campaign({ campaignId: OTHER, state: 'running' }));
  await store.putRelease(BUSINESS, OTHER, { nextSeq: 50, total: 500, tick: 3, lastTickAt: secondsAgo(5) });
  await store.create(campaign({ campaignId: ENDED, state: 'completed', completedAt: secondsAgo(10 * 86_400) }));
  await store.putRelease(BUSINESS, ENDED, { nextSeq: 10, total: 10, tick: 2, lastTickAt: secondsAgo(10 * 86_400) });
  for (const id of [CAMPAIGN_ID, OTHER, ENDED]) await store.markRunning(BUSINESS, id);
  return { store, ticks: recordingTicks(), counter: inMemoryCounter() };
}

describe('the campaign watchdog', () => {
  it('kicks the quiet loop with its current tick, leaves the live one, rolls every count up and lets the long-ended one go', async () => {
    const { store, ticks, counter } = await setUp();
    const report = await watchCampaigns({ store, ticks, counter, now: () => NOW });
    expect(report).toEqual({ listed: 3, looked: 3, kicked: 1, unlisted: 1, rolledUp: 3, buildsKicked: 0 });
    expect(ticks.scheduled).toEqual([{ tick: 7, delaySeconds: 0 }]);
    expect(counter.rolledUp.sort((a, b) => a - b)).toEqual([10, 50, 100]);
    expect((await store.listRunning()).map((c) => c.campaignId).sort()).toEqual([CAMPAIGN_ID, OTHER].sort());
  });

  it('stops early when the invocation runs short; the rest waits for the next minute', async () => {
    const { store, ticks, counter } = await setUp();
    const report = await watchCampaigns({ store, ticks, counter, now: () => NOW, remainingMs: () => 1_000 });
    expect(report).toMatchObject({ listed: 3, looked: 0, kicked: 0 });
  });
});

describe('a kick on campaign.changed', () => {
  const changed = (detail: Record<string, unknown>) => ({
    source: EVENT_SOURCE.campaigns,
    'detail-type': DETAIL_TYPE.campaignChanged,
    detail: { v: 1, businessId: BUSINESS, campaignId: CAMPAIGN_ID, ...detail },
  });

  it("ticks a campaign scheduled or resumed now, with the cursor's tick, and lists it", async () => {
    const store = inMemoryCampaignStore();
    const ticks = recordingTicks();
    await store.create(campaign());
    await store.putRelease(BUSINESS, CAMPAIGN_ID, { nextSeq: 0, total: 5, tick: 0 });
    expect(await kickOnChange(changed({ state: 'scheduled', previousState: 'draft' }), { store, ticks })).toBe('kicked');
    expect(await kickOnChange(changed({ state: 'running', previousState: 'paused' }), { store, ticks })).toBe('kicked');
    expect(ticks.scheduled).toEqual([
      { tick: 0, delaySeconds: 0 },
      { tick: 0, delaySeconds: 0 },
    ]);
    expect(await store.listRunning()).toEqual([{ businessId: BUSINESS, campaignId: CAMPAIGN_ID }]);
  });

  it("ignores the loop's own moves, unknown campaigns and unreadable events", async () => {
    const store = inMemoryCampaignStore();
    const ticks = recordingTicks();
    expect(await kickOnChange(changed({ state: 'running', previousState: 'scheduled' }), { store, ticks })).toBe('ignored');
    expect(await kickOnChange(changed({ state: 'paused', previousState: 'running' }), { store, ticks })).toBe('ignored');
    expect(await kickOnChange(changed({ state: 'scheduled' }), { store, ticks })).toBe('ignored');
    expect(await kickOnChange({ detail: 'nope' }, { store, ticks })).toBe('invalid');
    expect(await kickOnChange(changed({ state: 'scheduled', campaignId: '#'.repeat(400) }), { store, ticks })).toBe('invalid');
    expect(ticks.scheduled).toEqual([]);
  });
});
