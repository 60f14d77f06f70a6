import { describe, expect, it } from 'vitest';
import { announcedStatuses } from '#lambdas/status/announced-statuses';

describe('announcedStatuses', () => {
  it('by default announces failures of every message and delivered/read of messages a person sent', () => {
    const announce = announcedStatuses('failed');
    expect(announcedStatuses(undefined)('delivered', { origin: 'agent' })).toBe(false);
    expect(announce('failed', { origin: 'agent' })).toBe(true);
    expect(announce('failed')).toBe(true);
    expect(announce('delivered', { origin: 'human_agent' })).toBe(true);
    expect(announce('read', { origin: 'human_agent' })).toBe(true);
    for (const origin of ['agent', 'campaign', undefined, 'HUMAN_AGENT', { toString: () => 'human_agent' }]) {
      expect(announce('delivered', { origin })).toBe(false);
      expect(announce('read', { origin })).toBe(false);
    }
    expect(announce('read')).toBe(false);
  });

  it('announces everything with `all`', () => {
    const announce = announcedStatuses('all');
    expect(announce('delivered', { origin: 'agent' })).toBe(true);
    expect(announce('read')).toBe(true);
  });
});
