import { describe, expect, it } from 'vitest';
import {
  campaignRatePerSecond,
  decideState,
  messagingLimitOf,
  pauseCauseOf,
  releaseSize,
  spreadDelays,
  tickPlan,
  watchdogVerdict,
} from '#lambdas/campaigns/campaign-release-decision';
import { approvedTemplate, servingAccount } from '#test/helpers/campaign-release-fakes';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();

describe('pause causes', () => {
  const ok = { account: servingAccount(), template: { status: 'APPROVED' }, budget: { spentMicros: 10, share: 0 } };

  it('lets an active GREEN number with an approved template and budget left send', () => {
    expect(pauseCauseOf(ok)).toBeUndefined();
    expect(pauseCauseOf({ ...ok, template: { status: 'FLAGGED' } })).toBeUndefined();
    expect(pauseCauseOf({ ...ok, budget: { budgetMicros: 100, spentMicros: 99, share: 0.99 } })).toBeUndefined();
  });

  it('stops on a RED quality rating, from the health check or from a FLAGGED webhook', () => {
    expect(pauseCauseOf({ ...ok, account: servingAccount({ qualityRating: 'RED' }) })).toBe('quality_red');
    expect(pauseCauseOf({ ...ok, account: servingAccount({ qualityRating: 'red' }) })).toBe('quality_red');
    expect(pauseCauseOf({ ...ok, account: servingAccount({ qualityFlagged: true }) })).toBe('quality_red');
    expect(pauseCauseOf({ ...ok, account: servingAccount({ qualityRating: 'YELLOW', qualityFlagged: false }) })).toBeUndefined();
  });

  it('stops when the number cannot send: missing, restricted, disabled, waiting for a token, not WhatsApp', () => {
    expect(pauseCauseOf({ ...ok, account: undefined })).toBe('account_not_serving');
    for (const status of ['restricted', 'disabled', 'needs_reauthorisation', 'offboarded', 'onboarding']) {
      expect(pauseCauseOf({ ...ok, account: servingAccount({ status }) }), status).toBe('account_not_serving');
    }
    expect(pauseCauseOf({ ...ok, account: servingAccount({ channel: 'instagram' }) })).toBe('account_not_serving');
  });

  it('tells a paused template (which Meta may lift) from a disabled or missing one', () => {
    expect(pauseCauseOf({ ...ok, template: { status: 'PAUSED' } })).toBe('template_paused');
    expect(pauseCauseOf({ ...ok, template: { status: 'paused' } })).toBe('template_paused');
    expect(pauseCauseOf({ ...ok, template: { status: 'PENDING' } })).toBe('template_paused');
    expect(pauseCauseOf({ ...ok, template: { status: 'DISABLED' } })).toBe('template_disabled');
    expect(pauseCauseOf({ ...ok, template: { status: 'REJECTED' } })).toBe('template_disabled');
    expect(pauseCauseOf({ ...ok, template: undefined })).toBe('template_disabled');
  });

  it("stops when the month's budget is spent, and never without a budget", () => {
    expect(pauseCauseOf({ ...ok, budget: { budgetMicros: 100, spentMicros: 100, share: 1 } })).toBe('budget_exhausted');
    expect(pauseCauseOf({ ...ok, budget: { spentMicros: 10_000_000_000, share: 0 } })).toBeUndefined();
    expect(pauseCauseOf({ ...ok, budget: undefined })).toBeUndefined();
  });

  it('names the most serious cause first', () => {
    expect(
      pauseCauseOf({
        account: servingAccount({ qualityRating: 'RED' }),
        template: { status: 'PAUSED' },
        budget: { budgetMicros: 1, spentMicros: 5, share: 5 },
      }),
    ).toBe('quality_red');
  });
});

describe('messaging limit', () => {
  it("takes the portfolio's figure Meta reports over the number's tier, -1 being unlimited", () => {
    expect(messagingLimitOf(servingAccount({ messagingLimitTier: 'TIER_1K', maxDailyConversations: '10000' }))).toBe(10_000);
    expect(messagingLimitOf(servingAccount({ maxDailyConversations: -1 }))).toBe(Number.POSITIVE_INFINITY);
    expect(messagingLimitOf(servingAccount({ messagingLimitTier: 'TIER_100K' }))).toBe(100_000);
    expect(messagingLimitOf(servingAccount({ messagingLimitTier: 'TIER_UNLIMITED' }))).toBe(Number.POSITIVE_INFINITY);
  });

  it("starts a business Meta said nothing about at the newcomer's 250, and ignores what it cannot read", () => {
    expect(messagingLimitOf(servingAccount({ messagingLimitTier: undefined }))).toBe(250);
    expect(messagingLimitOf(servingAccount({ messagingLimitTier: 'TIER_BOGUS' }))).toBe(250);
    expect(messagingLimitOf(servingAccount({ messagingLimitTier: undefined, maxDailyConversations: 'lots' }))).toBe(250);
    expect(messagingLimitOf(undefined)).toBe(250);
  });
});

describe('pace', () => {
  it("is the campaign's share of the number's throughput: 80 msg/s by default, 1,000 upgraded, 20 for coexistence", () => {
    expect(campaignRatePerSecond({ rateShare: 0.8 }, servingAccount())).toBe(64);
    expect(campaignRatePerSecond({ rateShare: 0.5 }, servingAccount({ throughputPerSecond: 1_000 }))).toBe(500);
    expect(campaignRatePerSecond({ rateShare: 1 }, servingAccount({ coexistence: true, throughputPerSecond: 1_000 }))).toBe(20);
  });

  it('releases rate × tick seconds per tick, and shortens the tick rather than go over the per-tick cap', () => {
    expect(tickPlan(64)).toEqual({ perTick: 640, tickSeconds: 10 });
    // 800 msg/s: 2,000 every 2 s is 1,000 msg/s of room; 2,000 every 2.5 s cannot be said in whole seconds.
    expect(tickPlan(800)).toEqual({ perTick: 1_600, tickSeconds: 2 });
    expect(tickPlan(1_000, { maxPerTick: 2_000 })).toEqual({ perTick: 2_000, tickSeconds: 2 });
    expect(tickPlan(5_000, { maxPerTick: 2_000 })).toEqual({ perTick: 2_000, tickSeconds: 1 });
    expect(tickPlan(0.5)).toEqual({ perTick: 5, tickSeconds: 10 });
    expect(tickPlan(0.05)).toEqual({ perTick: 1, tickSeconds: 10 });
  });

  it('releases the least of the pace, the room left under the messaging limit and the list', () => {
    const plan = { perTick: 640, tickSeconds: 10 };
    expect(releaseSize({ plan, cursor: { nextSeq: 0, total: 10_000 }, messagingLimit: 10_000, reachedInLast24h: 0 })).toBe(640);
    expect(releaseSize({ plan, cursor: { nextSeq: 0, total: 10_000 }, messagingLimit: 1_000, reachedInLast24h: 900 })).toBe(100);
    expect(releaseSize({ plan, cursor: { nextSeq: 0, total: 10_000 }, messagingLimit: 250, reachedInLast24h: 300 })).toBe(0);
    expect(releaseSize({ plan, cursor: { nextSeq: 9_990, total: 10_000 }, messagingLimit: Number.POSITIVE_INFINITY, reachedInLast24h: 0 })).toBe(10);
  });

  it("spreads a tick's sends evenly over it in whole seconds", () => {
    const delays = spreadDelays(640, 10);
    expect(delays).toHaveLength(640);
    expect(delays[0]).toBe(0);
    expect(Math.max(...delays)).toBe(9);
    for (let s = 0; s < 10; s++) expect(delays.filter((d) => d === s)).toHaveLength(64);
    expect(spreadDelays(3, 10)).toEqual([0, 3, 6]);
    expect(spreadDelays(0, 10)).toEqual([]);
  });
});

describe('tick state', () => {
  const cursor = { tick: 4 };
  it("ignores a tick that is not the cursor's (a repeat or a kick racing the loop)", () => {
    expect(decideState({ state: 'running' }, cursor, 3, NOW)).toEqual({ action: 'ignore', reason: 'stale_tick' });
    expect(decideState({ state: 'running' }, cursor, 5, NOW)).toEqual({ action: 'ignore', reason: 'stale_tick' });
    expect(decideState({ state: 'running' }, cursor, 4, NOW)).toEqual({ action: 'release' });
    expect(decideState(undefined, cursor, 4, NOW)).toEqual({ action: 'ignore', reason: 'no_campaign' });
    expect(decideState({ state: 'running' }, undefined, 4, NOW)).toEqual({ action: 'ignore', reason: 'no_release_cursor' });
  });

  it('starts a scheduled campaign at its time, and waits for it (15 minutes at most per wait) before', () => {
    expect(decideState({ state: 'scheduled' }, cursor, 4, NOW)).toEqual({ action: 'start' });
    expect(decideState({ state: 'scheduled', startAt: secondsAgo(1) }, cursor, 4, NOW)).toEqual({ action: 'start' });
    expect(decideState({ state: 'scheduled', startAt: secondsAgo(-42) }, cursor, 4, NOW)).toEqual({ action: 'wait_for_start', delaySeconds: 42 });
    expect(decideState({ state: 'scheduled', startAt: secondsAgo(-86_400) }, cursor, 4, NOW)).toEqual({ action: 'wait_for_start', delaySeconds: 900 });
  });

  it('stops on paused, completed and cancelled, whatever the tick', () => {
    expect(decideState({ state: 'paused' }, cursor, 1, NOW)).toEqual({ action: 'stop_paused' });
    expect(decideState({ state: 'completed' }, cursor, 4, NOW)).toEqual({ action: 'stop_ended' });
    expect(decideState({ state: 'cancelled' }, undefined, 4, NOW)).toEqual({ action: 'stop_ended' });
    expect(decideState({ state: 'draft' }, cursor, 4, NOW)).toEqual({ action: 'ignore', reason: 'not_scheduled' });
  });
});

describe('watchdog', () => {
  it('kicks a running loop quiet for three ticks (or a limit wait and a tick), not a live one', () => {
    expect(watchdogVerdict({ state: 'running' }, { lastTickAt: secondsAgo(15) }, NOW)).toBe('leave');
    expect(watchdogVerdict({ state: 'running' }, { lastTickAt: secondsAgo(65) }, NOW)).toBe('leave');
    expect(watchdogVerdict({ state: 'running' }, { lastTickAt: secondsAgo(75) }, NOW)).toBe('kick');
    expect(watchdogVerdict({ state: 'running' }, { lastTickAt: secondsAgo(75) }, NOW, 30)).toBe('leave');
    expect(watchdogVerdict({ state: 'running' }, { lastTickAt: secondsAgo(95) }, NOW, 30)).toBe('kick');
    expect(watchdogVerdict({ state: 'running' }, {}, NOW)).toBe('kick');
  });

  it('gives a first tick that is still preparing the time of three ticks from the start before kicking', () => {
    expect(watchdogVerdict({ state: 'running', startedAt: secondsAgo(20) }, {}, NOW)).toBe('leave');
    expect(watchdogVerdict({ state: 'running', startedAt: secondsAgo(80) }, {}, NOW)).toBe('kick');
    expect(watchdogVerdict({ state: 'scheduled', scheduledAt: secondsAgo(20) }, {}, NOW)).toBe('leave');
    expect(watchdogVerdict({ state: 'scheduled', scheduledAt: secondsAgo(80) }, {}, NOW)).toBe('kick');
  });

  it('starts a scheduled campaign once due, and leaves paused ones for a person', () => {
    expect(watchdogVerdict({ state: 'scheduled' }, {}, NOW)).toBe('kick');
    expect(watchdogVerdict({ state: 'scheduled', startAt: secondsAgo(-120) }, {}, NOW)).toBe('leave');
    // Its own delayed tick starts it at its time; the watchdog steps in when that did not happen.
    expect(watchdogVerdict({ state: 'scheduled', startAt: secondsAgo(1) }, {}, NOW)).toBe('leave');
    expect(watchdogVerdict({ state: 'scheduled', startAt: secondsAgo(90) }, {}, NOW)).toBe('kick');
    expect(watchdogVerdict({ state: 'paused' }, { lastTickAt: secondsAgo(10_000) }, NOW)).toBe('leave');
  });

  it('keeps an ended campaign listed while its counts can move, then lets it go', () => {
    expect(watchdogVerdict({ state: 'completed', completedAt: secondsAgo(3 * 86_400) }, {}, NOW)).toBe('leave');
    expect(watchdogVerdict({ state: 'cancelled', completedAt: secondsAgo(9 * 86_400) }, {}, NOW)).toBe('unlist');
    expect(watchdogVerdict({ state: 'completed', updatedAt: 'garbage' }, {}, NOW)).toBe('unlist');
    expect(watchdogVerdict(undefined, {}, NOW)).toBe('unlist');
  });
});

describe('fakes', () => {
  it('use a template the pause rules accept', () => {
    expect(pauseCauseOf({ account: servingAccount(), template: approvedTemplate(), budget: undefined })).toBeUndefined();
  });
});
