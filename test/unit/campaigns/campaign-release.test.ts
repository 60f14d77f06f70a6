import { beforeEach, describe, expect, it } from 'vitest';
import { inMemoryCampaignStore, type InMemoryCampaignStore } from '#lambdas/campaigns/in-memory-campaign-store';
import { releaseTick, type ReleaseDeps } from '#lambdas/campaigns/campaign-release';
import { campaignMessageId } from '#lambdas/campaigns/campaign-keys';
import type { Campaign } from '#lambdas/campaigns/campaign-model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import {
  approvedTemplate,
  BUSINESS,
  CAMPAIGN_ID,
  campaign,
  fakeBudget,
  fakeOutbox,
  fakeSources,
  inMemoryCounter,
  recordingPublisher,
  recordingSendQueue,
  recordingTicks,
  servingAccount,
} from '#test/helpers/campaign-release-fakes';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const waId = (i: number) => `5511${String(90000000 + i)}`;

interface World {
  store: InMemoryCampaignStore;
  deps: ReleaseDeps;
  sources: ReturnType<typeof fakeSources>;
  budget: ReturnType<typeof fakeBudget>;
  outbox: ReturnType<typeof fakeOutbox>;
  queue: ReturnType<typeof recordingSendQueue>;
  ticks: ReturnType<typeof recordingTicks>;
  publisher: ReturnType<typeof recordingPublisher>;
  counter: ReturnType<typeof inMemoryCounter>;
}

async function world(options: { recipients?: number; campaign?: Partial<Campaign>; outbox?: Parameters<typeof fakeOutbox>[0] } = {}): Promise<World> {
  const store = inMemoryCampaignStore();
  await store.create(campaign(options.campaign));
  const n = options.recipients ?? 1_000;
  await store.addRecipients(
    BUSINESS,
    CAMPAIGN_ID,
    0,
    Array.from({ length: n }, (_, i) => ({ waId: waId(i), variables: { '1': `Cliente ${i}` } })),
  );
  await store.putRelease(BUSINESS, CAMPAIGN_ID, { nextSeq: 0, total: n, tick: 0 });
  const sources = fakeSources();
  const budget = fakeBudget();
  const outbox = fakeOutbox(options.outbox);
  const queue = recordingSendQueue();
  const ticks = recordingTicks();
  const publisher = recordingPublisher();
  const counter = inMemoryCounter();
  const deps: ReleaseDeps = { store, sources, budget, outbox, sendQueue: queue, ticks, publisher, counts: counter, now: () => NOW };
  return { store, deps, sources, budget, outbox, queue, ticks, publisher, counter };
}

const tick = (n: number) => ({ businessId: BUSINESS, campaignId: CAMPAIGN_ID, tick: n });

describe('a release tick', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it("starts a due scheduled campaign, releases its number's pace for one tick spread over it, and schedules the next tick", async () => {
    const outcome = await releaseTick(tick(0), w.deps);
    expect(outcome).toEqual({ outcome: 'released', released: 640, failed: 0, nextTickSeconds: 10, completed: false });
    expect((await w.store.get(BUSINESS, CAMPAIGN_ID))?.state).toBe('running');
    expect(await w.store.listRunning()).toEqual([{ businessId: BUSINESS, campaignId: CAMPAIGN_ID }]);
    expect(w.publisher.events).toEqual([
      expect.objectContaining({
        source: EVENT_SOURCE.campaigns,
        detailType: DETAIL_TYPE.campaignChanged,
        detail: expect.objectContaining({ campaignId: CAMPAIGN_ID, state: 'running', previousState: 'scheduled' }),
      }),
    ]);
    // 80 msg/s × 0.8 × 10 s, in list order, 64 a second.
    expect(w.queue.sends).toHaveLength(640);
    expect(w.queue.sends[0]).toEqual({
      conversationKey: `wa:1001:${waId(0)}`,
      accountId: '1001',
      outboundId: campaignMessageId(CAMPAIGN_ID, waId(0)),
      delaySeconds: 0,
    });
    expect(w.queue.sends[639]).toMatchObject({ outboundId: campaignMessageId(CAMPAIGN_ID, waId(639)), delaySeconds: 9 });
    expect(w.queue.sends.filter((s) => s.delaySeconds === 3)).toHaveLength(64);
    expect(await w.store.getRelease(BUSINESS, CAMPAIGN_ID)).toMatchObject({ nextSeq: 640, tick: 1, lastTickAt: NOW.toISOString() });
    expect(w.ticks.scheduled).toEqual([{ tick: 1, delaySeconds: 10 }]);
    const list = w.store.allRecipients(BUSINESS, CAMPAIGN_ID);
    expect(list.filter((r) => r.state === 'released')).toHaveLength(640);
    expect(list[0]).toMatchObject({ state: 'released', messageId: campaignMessageId(CAMPAIGN_ID, waId(0)), conversationKey: `wa:1001:${waId(0)}` });
    expect(await w.store.reachInLast24h(BUSINESS, NOW)).toBe(640);
  });

  it("goes at an upgraded number's pace with the campaign's share", async () => {
    const small = await world({ recipients: 5_000, campaign: { rateShare: 0.5 } });
    small.sources.state.account = servingAccount({ throughputPerSecond: 1_000 });
    // 500 msg/s: 2,000 a tick (the cap, read in two pages of the list) every 4 s.
    expect(await releaseTick(tick(0), small.deps)).toMatchObject({ outcome: 'released', released: 2_000, nextTickSeconds: 4 });
  });

  it('completes the campaign with the tick that releases the end of the list', async () => {
    const short = await world({ recipients: 700 });
    await releaseTick(tick(0), short.deps);
    expect(await releaseTick(tick(1), short.deps)).toEqual({ outcome: 'released', released: 60, failed: 0, nextTickSeconds: 0, completed: true });
    expect((await short.store.get(BUSINESS, CAMPAIGN_ID))?.state).toBe('completed');
    expect(short.publisher.events.map((e) => e.detail.state)).toEqual(['running', 'completed']);
    // No tick after the end; the watchdog keeps it listed while its counts move.
    expect(short.ticks.scheduled).toEqual([{ tick: 1, delaySeconds: 10 }]);
    expect(short.queue.sends).toHaveLength(700);
  });

  it('completes at once a campaign whose list is empty', async () => {
    const empty = await world({ recipients: 0 });
    expect(await releaseTick(tick(0), empty.deps)).toMatchObject({ outcome: 'released', completed: true, released: 0 });
    expect((await empty.store.get(BUSINESS, CAMPAIGN_ID))?.state).toBe('completed');
  });

  it("releases only what the business's messaging limit has room for, then waits for the moving window", async () => {
    w.sources.state.account = servingAccount({ messagingLimitTier: 'TIER_250' });
    await w.store.recordReach(BUSINESS, 200, NOW);
    expect(await releaseTick(tick(0), w.deps)).toMatchObject({ outcome: 'released', released: 50 });
    expect(await releaseTick(tick(1), w.deps)).toEqual({ outcome: 'waiting_for_limit', reached: 250, limit: 250 });
    expect(w.ticks.scheduled.at(-1)).toEqual({ tick: 2, delaySeconds: 60 });
    expect(w.queue.sends).toHaveLength(50);
    expect((await w.store.get(BUSINESS, CAMPAIGN_ID))?.state).toBe('running');
  });

  it('does not count customers inside their service window against the limit (Meta does not)', async () => {
    const open = await world({ outbox: { outsideWindow: (id) => !id.endsWith('0') } });
    await releaseTick(tick(0), open.deps);
    expect(await open.store.reachInLast24h(BUSINESS, NOW)).toBe(640 - 64);
  });

  it.each([
    ['quality_red', (x: World) => (x.sources.state.account = servingAccount({ qualityRating: 'RED' }))],
    ['quality_red', (x: World) => (x.sources.state.account = servingAccount({ qualityFlagged: true }))],
    ['template_paused', (x: World) => (x.sources.state.template = approvedTemplate({ status: 'PAUSED' }))],
    ['template_disabled', (x: World) => (x.sources.state.template = approvedTemplate({ status: 'DISABLED' }))],
    ['account_not_serving', (x: World) => (x.sources.state.account = servingAccount({ status: 'restricted' }))],
    ['budget_exhausted', (x: World) => (x.budget.standingNow = { budgetMicros: 5_000_000, spentMicros: 5_000_001, share: 1.0000002 })],
  ] as const)('pauses itself with %s, publishes why and releases nothing more', async (reason, cause) => {
    await releaseTick(tick(0), w.deps);
    cause(w);
    expect(await releaseTick(tick(1), w.deps)).toEqual({ outcome: 'paused', reason });
    const paused = await w.store.get(BUSINESS, CAMPAIGN_ID);
    expect(paused).toMatchObject({ state: 'paused', pauseReason: reason });
    expect(w.publisher.events.at(-1)?.detail).toMatchObject({ state: 'paused', previousState: 'running', reason });
    expect(w.queue.sends).toHaveLength(640);
    // The loop stops: no next tick; a resume kicks it again.
    expect(w.ticks.scheduled).toEqual([{ tick: 1, delaySeconds: 10 }]);
    expect(await releaseTick(tick(1), w.deps)).toEqual({ outcome: 'stopped', state: 'paused' });
  });

  it('stops for a campaign paused or cancelled by a person, and keeps it listed', async () => {
    await releaseTick(tick(0), w.deps);
    await w.store.transition(BUSINESS, CAMPAIGN_ID, ['running'], 'cancelled', NOW.toISOString());
    expect(await releaseTick(tick(1), w.deps)).toEqual({ outcome: 'stopped', state: 'cancelled' });
    expect(w.queue.sends).toHaveLength(640);
    expect(await w.store.listRunning()).toHaveLength(1);
  });

  it('waits for a start time in the future with a delayed copy of the same tick', async () => {
    const later = await world({ campaign: { startAt: new Date(NOW.getTime() + 125_000).toISOString() } });
    expect(await releaseTick(tick(0), later.deps)).toEqual({ outcome: 'waiting_for_start', delaySeconds: 125 });
    expect(later.ticks.scheduled).toEqual([{ tick: 0, delaySeconds: 125 }]);
    expect(later.queue.sends).toEqual([]);
    expect((await later.store.get(BUSINESS, CAMPAIGN_ID))?.state).toBe('scheduled');
  });

  it('fails a recipient whose variables no longer fit the template, counts it, and sends the rest', async () => {
    const bad = await world({ recipients: 10, outbox: { invalidFor: new Set([waId(3)]) } });
    expect(await releaseTick(tick(0), bad.deps)).toMatchObject({ outcome: 'released', released: 9, failed: 1, completed: true });
    expect(bad.store.allRecipients(BUSINESS, CAMPAIGN_ID)[3]).toMatchObject({ state: 'failed', errorCode: 'invalid_variables' });
    expect(bad.counter.totalsNow).toMatchObject({ failed: 1, failedByError: { invalid_variables: 1 } });
  });

  it('refuses hostile tick bodies without touching anything', async () => {
    for (const body of [
      undefined,
      null,
      'x',
      { businessId: BUSINESS, campaignId: CAMPAIGN_ID },
      { ...tick(0), tick: -1 },
      { ...tick(0), extra: 1 },
      { ...tick(0), businessId: 'a'.repeat(400) },
    ]) {
      expect((await releaseTick(body, w.deps)).outcome).toBe('invalid');
    }
    expect(await releaseTick({ businessId: 'other', campaignId: CAMPAIGN_ID, tick: 0 }, w.deps)).toEqual({ outcome: 'ignored', reason: 'no_campaign' });
    expect(w.queue.sends).toEqual([]);
  });
});

describe('exactly once', () => {
  it('does nothing with a tick processed twice: the second copy finds the cursor moved on', async () => {
    const w = await world();
    await releaseTick(tick(0), w.deps);
    expect(await releaseTick(tick(0), w.deps)).toEqual({ outcome: 'ignored', reason: 'stale_tick' });
    expect(w.queue.sends).toHaveLength(640);
    expect(w.ticks.scheduled).toHaveLength(1);
    expect(await w.store.getRelease(BUSINESS, CAMPAIGN_ID)).toMatchObject({ nextSeq: 640, tick: 1 });
  });

  it('lets only one of two copies processed at once move the cursor and schedule the next tick; both name the same messages', async () => {
    const w = await world();
    const [a, b] = await Promise.all([releaseTick(tick(0), w.deps), releaseTick(tick(0), w.deps)]);
    expect([a.outcome, b.outcome].sort()).toEqual(['overtaken', 'released']);
    expect(w.ticks.scheduled).toEqual([{ tick: 1, delaySeconds: 10 }]);
    expect(new Set(w.queue.sends.map((s) => s.outboundId)).size).toBe(640);
    expect(await w.store.getRelease(BUSINESS, CAMPAIGN_ID)).toMatchObject({ nextSeq: 640, tick: 1 });
  });

  it('repeats the whole tick after a crash between writing the items and enqueueing them', async () => {
    const w = await world();
    w.queue.failNext = 1;
    await expect(releaseTick(tick(0), w.deps)).rejects.toThrow('SQS unavailable');
    // Nothing moved: the queue delivers the tick again.
    expect(await w.store.getRelease(BUSINESS, CAMPAIGN_ID)).toMatchObject({ nextSeq: 0, tick: 0 });
    expect(w.ticks.scheduled).toEqual([]);
    expect(await releaseTick(tick(0), w.deps)).toMatchObject({ outcome: 'released', released: 640 });
    expect(w.queue.sends.map((s) => s.outboundId)).toEqual(Array.from({ length: 640 }, (_, i) => campaignMessageId(CAMPAIGN_ID, waId(i))));
    // The first attempt stopped at its first chunk's enqueue; the repeat prepared that chunk again.
    expect(w.outbox.prepared).toHaveLength(16 + 640);
  });

  it('stops preparing when the invocation runs short, and moves the cursor past what it prepared only', async () => {
    const w = await world();
    let left = 60_000;
    const deps = { ...w.deps, parallelism: 100, remainingMs: () => (left -= 28_000) };
    const outcome = await releaseTick(tick(0), deps);
    expect(outcome).toMatchObject({ outcome: 'released', released: 100 });
    expect(await w.store.getRelease(BUSINESS, CAMPAIGN_ID)).toMatchObject({ nextSeq: 100, tick: 1 });
  });
});
