import { describe, expect, it } from 'vitest';
import { agentReplyOf, responseTimeMs } from '#lambdas/status/conversation-metrics';

const RECEIPT_AT = '2026-11-21T10:00:09.000Z';
const reply = (extra: Record<string, unknown> = {}) => ({
  sk: 'MSG#out_1',
  messageId: 'out_1',
  direction: 'outbound',
  origin: 'agent',
  status: 'delivered',
  sentAt: '2026-11-21T10:00:04.000Z',
  ...extra,
});

describe('agentReplyOf', () => {
  it("counts the bot's, a human agent's and a person's replies from the business app or inbox", () => {
    for (const origin of ['agent', 'human_agent', 'business_app', 'business_echo']) {
      expect(agentReplyOf(reply({ origin }), RECEIPT_AT)).toEqual({ messageId: 'out_1', sentAt: '2026-11-21T10:00:04.000Z' });
    }
  });

  it('does not count imported history, campaigns, customer messages or failed replies', () => {
    expect(agentReplyOf(reply({ origin: 'history' }), RECEIPT_AT)).toBeUndefined();
    expect(agentReplyOf(reply({ origin: 'campaign' }), RECEIPT_AT)).toBeUndefined();
    expect(agentReplyOf(reply({ direction: 'inbound', origin: 'customer' }), RECEIPT_AT)).toBeUndefined();
    expect(agentReplyOf(reply({ status: 'failed' }), RECEIPT_AT)).toBeUndefined();
    expect(agentReplyOf(reply({ origin: undefined }), RECEIPT_AT)).toBeUndefined();
  });

  it('takes the time Meta accepted the reply, else the receipt time; the id from messageId, else the sort key', () => {
    expect(agentReplyOf(reply({ sentAt: undefined }), RECEIPT_AT)?.sentAt).toBe(RECEIPT_AT);
    expect(agentReplyOf(reply({ messageId: undefined }), RECEIPT_AT)?.messageId).toBe('out_1');
    expect(agentReplyOf(reply({ messageId: undefined, sk: undefined }), RECEIPT_AT)).toBeUndefined();
  });
});

describe('responseTimeMs', () => {
  it('measures from the first customer message to the reply', () => {
    expect(responseTimeMs('2026-11-21T10:00:00.000Z', '2026-11-21T10:00:04.250Z')).toBe(4250);
    expect(responseTimeMs('2026-11-21T10:00:00.000Z', '2026-11-21T10:00:00.000Z')).toBe(0);
  });

  it('gives nothing for a reply before the message or an unreadable time', () => {
    expect(responseTimeMs('2026-11-21T10:00:05.000Z', '2026-11-21T10:00:04.000Z')).toBeUndefined();
    expect(responseTimeMs('soon', '2026-11-21T10:00:04.000Z')).toBeUndefined();
  });
});
