import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseAgent, rankAgents } from '#lambdas/routing/engine/choose-agent';
import { implicitDefaultQueue, matchRoutingRule } from '#lambdas/routing/engine/match-routing-rule';
import { addOpenSeconds, isOpen, nextOpening } from '#lambdas/routing/engine/queue-calendar';
import { PRIORITY, type QueueHours, type RoutingAgent, type RoutingRules } from '#lambdas/routing/routing-model';

const weekdays9to18: QueueHours = {
  timezone: 'America/Mexico_City',
  weekly: {
    mon: [{ from: '09:00', to: '18:00' }],
    tue: [{ from: '09:00', to: '18:00' }],
    wed: [{ from: '09:00', to: '18:00' }],
    thu: [{ from: '09:00', to: '18:00' }],
    fri: [{ from: '09:00', to: '18:00' }],
  },
  holidays: ['2025-03-17'],
};

describe('queue calendar', () => {
  it('is open inside the local hours only, closed on holidays', () => {
    // Mexico City is UTC-6 (no daylight saving since 2022).
    expect(isOpen(weekdays9to18, new Date('2025-03-18T15:00:00Z'))).toBe(true); // Tue 09:00 local
    expect(isOpen(weekdays9to18, new Date('2025-03-18T14:59:00Z'))).toBe(false);
    expect(isOpen(weekdays9to18, new Date('2025-03-19T00:00:00Z'))).toBe(false); // Tue 18:00 local: end excluded
    expect(isOpen(weekdays9to18, new Date('2025-03-17T16:00:00Z'))).toBe(false); // holiday Monday
    expect(isOpen(undefined, new Date())).toBe(true);
  });

  it('finds the next opening across a weekend and a holiday', () => {
    // Friday 20:00 local → Tuesday 09:00 local (Monday is a holiday).
    expect(nextOpening(weekdays9to18, new Date('2025-03-15T02:00:00Z'))?.toISOString()).toBe('2025-03-18T15:00:00.000Z');
    expect(nextOpening({ timezone: 'UTC', weekly: {}, holidays: [] }, new Date())).toBeUndefined();
  });

  it('counts only open seconds', () => {
    // Friday 17:30 local + 1 hour of open time → Tuesday 09:30 local.
    expect(addOpenSeconds(weekdays9to18, new Date('2025-03-14T23:30:00Z'), 3600)?.toISOString()).toBe('2025-03-18T15:30:00.000Z');
    expect(addOpenSeconds(undefined, new Date('2025-03-14T23:30:00Z'), 60)?.toISOString()).toBe('2025-03-14T23:31:00.000Z');
  });

  it('follows daylight saving changes (New York, 2025-03-09)', () => {
    const hours: QueueHours = {
      timezone: 'America/New_York',
      weekly: { sat: [{ from: '09:00', to: '10:00' }], sun: [{ from: '09:00', to: '10:00' }] },
      holidays: [],
    };
    // Saturday 09:00 EST = 14:00Z; Sunday 09:00 EDT = 13:00Z.
    expect(nextOpening(hours, new Date('2025-03-08T12:00:00Z'))?.toISOString()).toBe('2025-03-08T14:00:00.000Z');
    expect(nextOpening(hours, new Date('2025-03-08T16:00:00Z'))?.toISOString()).toBe('2025-03-09T13:00:00.000Z');
    expect(addOpenSeconds(hours, new Date('2025-03-08T14:30:00Z'), 3600)?.toISOString()).toBe('2025-03-09T13:30:00.000Z');
  });

  it('property: the due time is open or the end of an opening, never earlier than the start plus the seconds', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2024-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 5 * 86_400 }),
        (start, seconds) => {
          const due = addOpenSeconds(weekdays9to18, start, seconds)!;
          expect(due.getTime()).toBeGreaterThanOrEqual(start.getTime() + seconds * 1000);
          expect(isOpen(weekdays9to18, new Date(due.getTime() - 1))).toBe(true);
          // Splitting the count gives the same instant.
          const half = Math.floor(seconds / 2);
          const split = addOpenSeconds(weekdays9to18, addOpenSeconds(weekdays9to18, start, half)!, seconds - half)!;
          expect(split.getTime()).toBe(due.getTime());
        },
      ),
      { numRuns: 150 },
    );
  });
});

const rules: RoutingRules = {
  businessId: 'b1',
  version: 1,
  updatedAt: '2025-01-01T00:00:00Z',
  defaultQueueId: 'general',
  rules: [
    { ruleId: 'vip', when: { tags: ['vip'] }, then: { queueId: 'vip', priority: PRIORITY.vip, addTags: ['priority'] } },
    { ruleId: 'pt', when: { languages: ['pt'], channels: ['whatsapp'] }, then: { queueId: 'brasil' } },
    { ruleId: 'complaints', when: { reasons: ['complaint'], accountIds: ['acct-1'] }, then: { queueId: 'complaints', priority: PRIORITY.high } },
  ],
};
const facts = { channel: 'whatsapp', accountId: 'acct-1', reason: 'customer_request', tags: [] as string[] };

describe('routing rules', () => {
  it('takes the first rule whose conditions all hold', () => {
    expect(matchRoutingRule(rules, { ...facts, tags: ['vip'], language: 'pt' })).toEqual({
      queueId: 'vip',
      priority: PRIORITY.vip,
      addTags: ['priority'],
      ruleId: 'vip',
    });
    expect(matchRoutingRule(rules, { ...facts, language: 'pt' })).toMatchObject({ queueId: 'brasil', priority: PRIORITY.normal });
    expect(matchRoutingRule(rules, { ...facts, language: 'pt', channel: 'instagram' })).toMatchObject({ queueId: 'general' });
    expect(matchRoutingRule(rules, { ...facts, reason: 'complaint' })).toMatchObject({ queueId: 'complaints', priority: PRIORITY.high });
    expect(matchRoutingRule(rules, { ...facts, reason: 'complaint', accountId: 'acct-2' })).toMatchObject({ queueId: 'general' });
  });

  it('an unknown language does not match a language rule', () => {
    expect(matchRoutingRule(rules, facts)).toMatchObject({ queueId: 'general', priority: PRIORITY.normal });
  });

  it('without rules: the default queue, VIP priority for a vip tag', () => {
    expect(matchRoutingRule(undefined, facts)).toEqual({ queueId: 'default', priority: PRIORITY.normal, addTags: [] });
    expect(matchRoutingRule(undefined, { ...facts, tags: ['vip'] }).priority).toBe(PRIORITY.vip);
  });
});

const agent = (agentId: string, over: Partial<RoutingAgent> = {}): RoutingAgent => ({
  agentId,
  businessId: 'b1',
  name: agentId,
  skills: ['billing'],
  languages: ['es'],
  channels: ['whatsapp', 'instagram', 'messenger'],
  maxConcurrent: 2,
  presence: 'online',
  presenceChangedAt: '2025-01-01T00:00:00Z',
  activeConversationKeys: [],
  version: 1,
  updatedAt: '2025-01-01T00:00:00Z',
  ...over,
});
const queue = { ...implicitDefaultQueue('b1'), requiredSkills: ['billing'] };
const target = { conversationKey: 'c1', channel: 'whatsapp', language: 'es', declinedBy: [] as string[] };

describe('choosing an agent', () => {
  it('keeps only the eligible', () => {
    const agents = [
      agent('offline', { presence: 'offline' }),
      agent('away', { presence: 'away' }),
      agent('full', { activeConversationKeys: ['x', 'y'] }),
      agent('no-skill', { skills: [] }),
      agent('english', { languages: ['en'] }),
      agent('instagram-only', { channels: ['instagram'] }),
      agent('decliner'),
      agent('holder', { activeConversationKeys: ['c1'] }),
      agent('ok'),
    ];
    expect(rankAgents(agents, queue, { ...target, declinedBy: ['decliner'] }).map((a) => a.agentId)).toEqual(['ok']);
    // Language unknown: any language will do.
    expect(rankAgents(agents, queue, { ...target, language: undefined, declinedBy: ['decliner'] }).map((a) => a.agentId)).toEqual(['english', 'ok']);
  });

  it('least busy first, then longest idle (never active first)', () => {
    const agents = [
      agent('busy', { activeConversationKeys: ['x'], lastActivityAt: '2025-01-01T00:00:00Z' }),
      agent('recent', { lastActivityAt: '2025-01-02T10:00:00Z' }),
      agent('idle', { lastActivityAt: '2025-01-02T08:00:00Z' }),
      agent('never'),
    ];
    expect(rankAgents(agents, queue, target).map((a) => a.agentId)).toEqual(['never', 'idle', 'recent', 'busy']);
    expect(chooseAgent(agents.slice(0, 3), queue, target)?.agentId).toBe('idle');
  });
});
