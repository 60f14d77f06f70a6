import { describe, expect, it } from 'vitest';
import { campaignMessageOf, countsDue, failureKey, shardOf, sumShards, withinAttribution } from '#lambdas/campaigns/campaign-counts';

const message = (status: string, extra: Record<string, unknown> = {}) =>
  campaignMessageOf({ pk: 'CONV#k', sk: 'MSG#m', campaignId: 'cmp_X', campaignBusinessId: 'shop', status, ...extra })!;

describe('campaign counts', () => {
  it("counts a message's funnel: read implies delivered implies sent", () => {
    expect(countsDue(message('sent'))).toEqual(['sent']);
    expect(countsDue(message('delivered'))).toEqual(['sent', 'delivered']);
    expect(countsDue(message('read'))).toEqual(['sent', 'delivered', 'read']);
    expect(countsDue(message('played'))).toEqual(['sent', 'delivered', 'read']);
    expect(countsDue(message('pending'))).toEqual([]);
    expect(countsDue(message('sending'))).toEqual([]);
  });

  it('counts only what was not counted yet', () => {
    expect(countsDue(message('read', { campaignCounted: new Set(['sent', 'delivered']) }))).toEqual(['read']);
    expect(countsDue(message('delivered', { campaignCounted: ['sent', 'delivered', 'read'] }))).toEqual([]);
  });

  it('counts a failure with what the message reached before it', () => {
    expect(countsDue(message('failed'))).toEqual(['failed']);
    expect(countsDue(message('failed', { sentAt: 't', deliveredAt: 't', campaignCounted: new Set(['sent']) }))).toEqual(['delivered', 'failed']);
  });

  it("keys failures by Meta's code or our reason, folded to a safe attribute name", () => {
    expect(failureKey({ errorCode: 131049 })).toBe('131049');
    expect(failureKey({ failureReason: 'marketing_opt_in_missing' })).toBe('marketing_opt_in_missing');
    expect(failureKey({ errorCode: 'a.b#c' as unknown as number })).toBe('a_b_c');
    expect(failureKey({ failureReason: `${'x'.repeat(100)}` })).toHaveLength(40);
    expect(failureKey({})).toBe('unknown');
  });

  it('is not a campaign message without its campaign fields', () => {
    expect(campaignMessageOf({ pk: 'p', sk: 's', status: 'sent' })).toBeUndefined();
    expect(campaignMessageOf(undefined)).toBeUndefined();
  });

  it('adds the shards up, failure codes included', () => {
    expect(
      sumShards([
        { sent: 2, delivered: 1, fail_131049: 1, failed: 1 },
        { sent: 3, read: 1, replied: 1, fail_131049: 2, fail_x: 1, failed: 3, optedOut: 1, other: 'ignored' },
      ]),
    ).toEqual({
      sent: 5,
      delivered: 1,
      read: 1,
      failed: 4,
      failedByError: { '131049': 3, x: 1 },
      replied: 1,
      optedOut: 1,
    });
  });

  it('spreads messages over the shards', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`MSG#cmp.x.${i}`)));
    expect(shards.size).toBe(16);
    expect(shardOf('same')).toBe(shardOf('same'));
  });

  it('attributes what happens within seven days after the campaign message', () => {
    const last = { businessId: 'shop', campaignId: 'cmp_X', at: '2026-11-20T00:00:00.000Z' };
    expect(withinAttribution(last, new Date('2026-11-20T00:00:01.000Z'))).toBe(true);
    expect(withinAttribution(last, new Date('2026-11-27T00:00:00.000Z'))).toBe(true);
    expect(withinAttribution(last, new Date('2026-11-27T00:00:01.000Z'))).toBe(false);
    expect(withinAttribution(last, new Date('2026-11-19T23:59:59.000Z'))).toBe(false);
  });
});
