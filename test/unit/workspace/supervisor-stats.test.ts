import { describe, expect, it } from 'vitest';
import type { ClosedConversation } from '#lambdas/workspace/closed-conversations-store';
import { dayStats, figures } from '#lambdas/workspace/supervisor-stats';

const base = (over: Partial<ClosedConversation>): ClosedConversation => ({
  conversationKey: `wa:1:${Math.random()}`,
  queueId: 'ventas',
  assignedAgentId: 'ana',
  queuedAt: '2026-11-21T10:00:00.000Z',
  assignedAt: '2026-11-21T10:01:00.000Z',
  firstHumanResponseAt: '2026-11-21T10:02:00.000Z',
  closedAt: '2026-11-21T10:11:00.000Z',
  closeOutcome: 'resolved',
  slaFirstResponseDueAt: '2026-11-21T10:05:00.000Z',
  transfers: 0,
  ...over,
});

describe('figures', () => {
  it('FRT, handling, wait, FCR, CSAT and SLA met', () => {
    const list = [
      base({ csatScore: 5 }),
      // Transferred: not first-contact resolved; breached.
      base({ transfers: 1, firstHumanResponseAt: '2026-11-21T10:10:00.000Z', slaState: 'breached', csatScore: 2 }),
      base({ closeOutcome: 'unresolved', assignedAt: '2026-11-21T10:03:00.000Z', firstHumanResponseAt: '2026-11-21T10:04:00.000Z' }),
      // No SLA target, no routing times (closed from the bot queue): counted, not in averages.
      { conversationKey: 'wa:1:x', closedAt: '2026-11-21T11:00:00.000Z', closeOutcome: 'resolved', queueId: 'ventas', assignedAgentId: 'ana' },
    ];
    expect(figures(list)).toEqual({
      closed: 4,
      frtSeconds: (120 + 600 + 240) / 3,
      handlingSeconds: (600 + 600 + 480) / 3,
      waitSeconds: (60 + 60 + 180) / 3,
      fcrRate: 0.5,
      csatAverage: 3.5,
      csatResponses: 2,
      slaMetRate: 0.6667,
      withSla: 3,
      transfers: 1,
    });
  });
  it('no data: counts only', () => {
    expect(figures([])).toEqual({ closed: 0, csatResponses: 0, withSla: 0, transfers: 0 });
  });
});

describe('dayStats', () => {
  it('per queue and per agent', () => {
    const stats = dayStats({ date: '2026-11-21', timezone: 'UTC', from: 'a', to: 'b', truncated: false }, [
      base({ queueId: 'ventas', assignedAgentId: 'ana' }),
      base({ queueId: 'soporte', assignedAgentId: 'ana' }),
      base({ queueId: undefined, assignedAgentId: undefined, closedBy: 'luis' }),
    ]);
    expect(stats.queues.map((q) => [q.queueId, q.closed])).toEqual([
      ['default', 1],
      ['soporte', 1],
      ['ventas', 1],
    ]);
    expect(stats.agents.map((a) => [a.agentId, a.closed])).toEqual([
      ['ana', 2],
      ['luis', 1],
    ]);
    expect(stats.total.closed).toBe(3);
  });
});
