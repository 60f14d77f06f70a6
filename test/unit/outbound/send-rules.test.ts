import { describe, expect, it } from 'vitest';
import { decideSendPermission, type SendRuleInput } from '#lambdas/outbound/send-rules';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const input = (overrides: Partial<SendRuleInput>): SendRuleInput => ({ channel: 'whatsapp', origin: 'agent', now: NOW, ...overrides });

describe('decideSendPermission', () => {
  it('lets free-form WhatsApp through inside the 24-hour window, up to its last millisecond', () => {
    expect(decideSendPermission(input({ lastInboundAt: hoursAgo(23.9) }))).toEqual({ allowed: true, humanAgentTag: false });
    expect(decideSendPermission(input({ lastInboundAt: hoursAgo(24) }))).toEqual({ allowed: true, humanAgentTag: false });
  });

  it('refuses free-form WhatsApp after the window, for people too, and when the customer never wrote', () => {
    expect(decideSendPermission(input({ lastInboundAt: hoursAgo(24.01) }))).toEqual({ allowed: false, reason: 'window_closed' });
    expect(decideSendPermission(input({ origin: 'human_agent', lastInboundAt: hoursAgo(30) }))).toEqual({ allowed: false, reason: 'window_closed' });
    expect(decideSendPermission(input({}))).toEqual({ allowed: false, reason: 'window_closed' });
  });

  it('lets utility and authentication templates through at any time', () => {
    expect(decideSendPermission(input({ templateCategory: 'utility' }))).toEqual({ allowed: true, humanAgentTag: false });
    expect(decideSendPermission(input({ templateCategory: 'authentication', lastInboundAt: hoursAgo(500) }))).toMatchObject({ allowed: true });
  });

  it('needs a standing opt-in for marketing templates', () => {
    const marketing = (consent?: SendRuleInput['consent']) => decideSendPermission(input({ templateCategory: 'marketing', ...(consent ? { consent } : {}) }));
    expect(marketing()).toEqual({ allowed: false, reason: 'marketing_opt_in_missing' });
    expect(marketing({})).toEqual({ allowed: false, reason: 'marketing_opt_in_missing' });
    expect(marketing({ optInAt: hoursAgo(100) })).toEqual({ allowed: true, humanAgentTag: false });
    expect(marketing({ optInAt: hoursAgo(100), optOutAt: hoursAgo(2) })).toEqual({ allowed: false, reason: 'marketing_opted_out' });
    expect(marketing({ optOutAt: hoursAgo(2) })).toEqual({ allowed: false, reason: 'marketing_opted_out' });
    // Opting in again after an opt-out stands.
    expect(marketing({ optInAt: hoursAgo(1), optOutAt: hoursAgo(2) })).toMatchObject({ allowed: true });
  });

  it('gives Instagram and Messenger human agents 7 days with the HUMAN_AGENT tag, and the bot 24 hours', () => {
    for (const channel of ['instagram', 'messenger'] as const) {
      expect(decideSendPermission(input({ channel, lastInboundAt: hoursAgo(2) }))).toEqual({ allowed: true, humanAgentTag: false });
      expect(decideSendPermission(input({ channel, origin: 'human_agent', lastInboundAt: hoursAgo(2) }))).toEqual({ allowed: true, humanAgentTag: false });
      expect(decideSendPermission(input({ channel, origin: 'human_agent', lastInboundAt: hoursAgo(6 * 24) }))).toEqual({ allowed: true, humanAgentTag: true });
      expect(decideSendPermission(input({ channel, origin: 'agent', lastInboundAt: hoursAgo(25) }))).toEqual({ allowed: false, reason: 'window_closed' });
      expect(decideSendPermission(input({ channel, origin: 'campaign', lastInboundAt: hoursAgo(25) }))).toEqual({ allowed: false, reason: 'window_closed' });
      expect(decideSendPermission(input({ channel, origin: 'human_agent', lastInboundAt: hoursAgo(7 * 24 + 0.1) }))).toEqual({
        allowed: false,
        reason: 'window_closed',
      });
    }
  });
});
