import { describe, expect, it } from 'vitest';
import { humanReplyWindow } from '#lambdas/conversation/reply-window';

describe('humanReplyWindow', () => {
  const now = new Date('2026-11-21T12:00:00.000Z');
  it('WhatsApp: 24 hours after the last customer message', () => {
    expect(humanReplyWindow({ channel: 'whatsapp', lastInboundAt: '2026-11-20T12:00:01.000Z' }, now)).toEqual({
      windowOpen: true,
      windowClosesAt: '2026-11-21T12:00:01.000Z',
    });
    expect(humanReplyWindow({ channel: 'whatsapp', lastInboundAt: '2026-11-20T11:59:59.000Z' }, now).windowOpen).toBe(false);
  });
  it('Instagram and Messenger: 7 days for a person', () => {
    expect(humanReplyWindow({ channel: 'instagram', lastInboundAt: '2026-11-15T12:00:00.000Z' }, now)).toEqual({
      windowOpen: true,
      windowClosesAt: '2026-11-22T12:00:00.000Z',
    });
    expect(humanReplyWindow({ channel: 'messenger', lastInboundAt: '2026-11-14T11:00:00.000Z' }, now).windowOpen).toBe(false);
  });
  it('closed when the customer never wrote', () => {
    expect(humanReplyWindow({ channel: 'whatsapp' }, now)).toEqual({ windowOpen: false });
  });
});
