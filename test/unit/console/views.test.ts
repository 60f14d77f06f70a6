import { describe, expect, it } from 'vitest';
import { allowedViews, hashFor, parseHash, resolveRoute } from '../../../console/src/lib/views.ts';

describe('views by role', () => {
  it('nests agent ⊂ supervisor ⊂ admin', () => {
    expect(allowedViews(['agent'])).toEqual(['agent']);
    expect(allowedViews(['supervisor'])).toEqual(['agent', 'supervisor', 'campaigns', 'spend']);
    expect(allowedViews(['admin'])).toEqual(['agent', 'supervisor', 'admin', 'campaigns', 'spend']);
    expect(allowedViews(['platform'])).toEqual(['supervisor', 'admin', 'campaigns', 'spend']);
    expect(allowedViews([])).toEqual([]);
    expect(allowedViews(['root', 42, null])).toEqual([]);
  });

  it('opens the asked view only when allowed', () => {
    expect(resolveRoute('#/admin/queues', ['agent'])).toEqual({ view: 'agent' });
    expect(resolveRoute('#/admin/queues', ['admin'])).toEqual({ view: 'admin', section: 'queues' });
    expect(resolveRoute('#/supervisor', ['supervisor'])).toEqual({ view: 'supervisor' });
    expect(resolveRoute('#/nowhere', [])).toEqual({});
  });

  it('round-trips conversation keys with colons', () => {
    const key = 'wa:123456:5215512345678';
    expect(parseHash(hashFor({ view: 'agent', conversationKey: key }))).toEqual({ view: 'agent', conversationKey: key });
    expect(parseHash('#/agent/c/%E0%A4%A')).toEqual({ view: 'agent' });
    expect(parseHash(`#/agent/c/${'a'.repeat(1001)}`)).toEqual({ view: 'agent' });
    expect(parseHash('#/admin/unknown')).toEqual({ view: 'admin' });
    expect(parseHash(hashFor({ view: 'campaigns', campaignId: 'cmp_01JABC' }))).toEqual({ view: 'campaigns', campaignId: 'cmp_01JABC' });
    expect(parseHash('#/campaigns/../../x')).toEqual({ view: 'campaigns' });
    expect(resolveRoute('#/spend', ['agent'])).toEqual({ view: 'agent' });
  });
});
