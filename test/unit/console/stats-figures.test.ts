import { describe, expect, it } from 'vitest';
import { dayStats } from '#lambdas/workspace/supervisor-stats';
import { figure, FIGURE_FIELDS, METRICS, rowLabel } from '../../../console/src/lib/stats-figures.ts';

/** The console reads the supervisor stats by the server's own field names, and by those only. */
describe('supervisor figures as the console reads them', () => {
  const stats = dayStats({ date: '2026-03-02', timezone: 'UTC', from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', truncated: false }, [
    {
      conversationKey: 'wa:1:a',
      queueId: 'general',
      assignedAgentId: 'ana',
      queuedAt: '2026-03-02T10:00:00.000Z',
      assignedAt: '2026-03-02T10:01:00.000Z',
      firstHumanResponseAt: '2026-03-02T10:02:00.000Z',
      closedAt: '2026-03-02T10:11:00.000Z',
      closeOutcome: 'resolved',
      slaFirstResponseDueAt: '2026-03-02T10:05:00.000Z',
      csatScore: 4,
    },
  ]);

  it('finds every figure of a server row', () => {
    const row = stats.queues[0]! as unknown as Record<string, unknown>;
    expect(figure(row, 'frt')).toBe(120);
    expect(figure(row, 'tmo')).toBe(600);
    expect(figure(row, 'fcr')).toBe(1);
    expect(figure(row, 'csat')).toBe(4);
    expect(figure(row, 'slaMet')).toBe(1);
    expect(figure(row, 'handled')).toBe(1);
    for (const field of Object.values(FIGURE_FIELDS)) expect(Object.keys(stats.total)).toContain(field);
    expect(rowLabel(row)).toBe('general');
    expect(rowLabel(stats.agents[0]! as unknown as Record<string, unknown>)).toBe('ana');
  });

  it('reads no other names and no non-numbers', () => {
    for (const m of METRICS) expect(figure({ frt: 1, tmo: 1, fcr: 1, csat: 1, slaMet: 1, tmoSeconds: 1, handled: 1 }, m)).toBeUndefined();
    expect(figure({ frtSeconds: '42' }, 'frt')).toBeUndefined();
    expect(figure({ frtSeconds: Number.NaN }, 'frt')).toBeUndefined();
    expect(rowLabel({ name: 'x' })).toBe('–');
  });
});
