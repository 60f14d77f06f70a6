import { describe, expect, it } from 'vitest';
import { planConversations, randomSource } from '#lib/analytics/seed/seed-plan';
import { planRouting, routingAttributes, SEED_AGENTS, SEED_QUEUES, type RoutingPlan } from '#lib/analytics/seed/routing-story';

const at = (iso: string) => Date.parse(iso);
const plan: RoutingPlan = {
  vip: false,
  queueId: 'soporte-es',
  agentId: 'marta',
  transfers: 0,
  outcome: 'resolved',
  answerAfterAcceptMs: 60_000,
  acceptAfterOfferMs: 10_000,
};

describe('the routing facts the seed writes', () => {
  it('derives offer, assignment and a met SLA from the person’s first reply', () => {
    const attributes = routingAttributes(
      plan,
      { queuedMs: at('2026-11-16T09:00:00Z'), firstHumanResponseMs: at('2026-11-16T09:05:00Z'), closedMs: at('2026-11-16T09:20:00Z') },
      'local',
    );
    expect(attributes).toMatchObject({
      businessId: 'local',
      routingStatus: 'closed',
      queueId: 'soporte-es',
      routingPriority: 50,
      queuedAt: '2026-11-16T09:00:00.000Z',
      offeredAt: '2026-11-16T09:03:50.000Z',
      assignedAgentId: 'marta',
      assignedAt: '2026-11-16T09:04:00.000Z',
      firstHumanResponseAt: '2026-11-16T09:05:00.000Z',
      closeOutcome: 'resolved',
      slaFirstResponseDueAt: '2026-11-16T09:10:00.000Z',
      slaState: 'ok',
      transfers: 0,
    });
    expect(attributes.tags).toBeUndefined();
  });

  it('marks a late first reply breached, one past 80 % warned, and tags VIP', () => {
    const times = (minutes: number) => ({ queuedMs: at('2026-11-16T09:00:00Z'), firstHumanResponseMs: at('2026-11-16T09:00:00Z') + minutes * 60_000 });
    expect(routingAttributes(plan, times(11), 'local').slaState).toBe('breached');
    expect(routingAttributes(plan, times(9), 'local').slaState).toBe('warning');
    const vip = routingAttributes({ ...plan, vip: true, queueId: 'vip' }, times(2), 'local');
    expect(vip).toMatchObject({
      routingPriority: 90,
      queueId: 'vip',
      slaFirstResponseDueAt: '2026-11-16T09:05:00.000Z',
      slaState: 'ok',
      routingStatus: 'assigned',
    });
    expect(vip.tags).toEqual(new Set(['vip']));
  });

  it('leaves a conversation the customer left in the queue without an agent, breached when it waited past the target', () => {
    const left = routingAttributes(
      { ...plan, agentId: undefined, outcome: 'abandoned' },
      { queuedMs: at('2026-11-16T09:00:00Z'), closedMs: at('2026-11-16T09:30:00Z') },
      'local',
    );
    expect(left).toMatchObject({ routingStatus: 'closed', slaState: 'breached' });
    expect(left.assignedAgentId).toBeUndefined();
    expect(left.firstHumanResponseAt).toBeUndefined();
    expect(left.closeOutcome).toBeUndefined();
  });

  it('plans the same story for the same seed, with agents who speak the language', () => {
    const a = planConversations({ count: 300, seed: 42, nowMs: at('2026-11-22T00:00:00Z') });
    const b = planConversations({ count: 300, seed: 42, nowMs: at('2026-11-22T00:00:00Z') });
    expect(a).toEqual(b);
    const routed = a.filter((p) => p.routing);
    expect(routed.length).toBe(a.filter((p) => p.story.endsWith('handoff')).length);
    expect(new Set(routed.map((p) => p.routing!.queueId))).toEqual(new Set(SEED_QUEUES.map((q) => q.queueId)));
    expect(routed.some((p) => p.routing!.vip)).toBe(true);
    expect(routed.some((p) => p.routing!.transfers > 0)).toBe(true);
    expect(new Set(routed.map((p) => p.routing!.outcome))).toEqual(new Set(['resolved', 'unresolved', 'no_response', 'abandoned']));
    for (const p of routed) {
      if (p.routing!.outcome === 'abandoned') expect(p.routing!.agentId).toBeUndefined();
      else expect(SEED_AGENTS.find((g) => g.agentId === p.routing!.agentId)?.languages).toContain(p.language);
      if (p.routing!.outcome === 'abandoned' || p.routing!.outcome === 'no_response') expect(p.csatScore).toBeUndefined();
    }
    const random = randomSource(7);
    expect(planRouting(random, 'pt').queueId).toMatch(/^(vip|suporte-pt)$/);
  });
});
