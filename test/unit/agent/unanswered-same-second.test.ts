import { describe, expect, it } from 'vitest';
import { unansweredFromSk, unansweredMessages, type StoredMessage } from '#lambdas/agent/unanswered-messages';

const customer = (id: string, occurredAt: string, receivedAt: string): StoredMessage => ({
  sk: `MSG#${id}`,
  lsi1sk: `MSG#${occurredAt}#${id}`,
  entity: 'Message',
  providerMessageId: id,
  direction: 'inbound',
  origin: 'customer',
  type: 'text',
  occurredAt,
  receivedAt,
});

describe('messages stamped in the same second as the one a person marked answered', () => {
  // WhatsApp stamps to the second: the rating sent after the close sorts before the marked message.
  const marked = customer('wamid.Z-before-close', '2026-11-22T10:00:01.000Z', '2026-11-22T10:00:01.200Z');
  const rating = customer('wamid.A-after-close', '2026-11-22T10:00:01.000Z', '2026-11-22T10:00:01.900Z');
  const earlier = customer('wamid.B-before-close', '2026-11-22T10:00:01.000Z', '2026-11-22T10:00:01.100Z');

  it('counts one brought after the marking as unanswered, and nothing that came before it', () => {
    const items = [rating, earlier, marked];
    expect(unansweredMessages(items, marked.lsi1sk, '2026-11-22T10:00:01.500Z').map((m) => m.providerMessageId)).toEqual(['wamid.A-after-close']);
  });

  it('keeps the plain order rule when no person marked it (the agent answered through it)', () => {
    expect(unansweredMessages([rating, earlier, marked], marked.lsi1sk)).toEqual([]);
  });

  it('looks from the start of the marked second only when a person marked it', () => {
    expect(unansweredFromSk(marked.lsi1sk, '2026-11-22T10:00:01.500Z')).toBe('MSG#2026-11-22T10:00:01');
    expect(unansweredFromSk(marked.lsi1sk)).toBe(marked.lsi1sk);
    expect(unansweredFromSk()).toBe('MSG#');
  });
});
