import { describe, expect, it } from 'vitest';
import { outboundIdFor } from '#lambdas/agent/outbound-id';
import { unansweredMessages, type StoredMessage } from '#lambdas/agent/unanswered-messages';

function msg(id: string, at: string, overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    sk: `MSG#${id}`,
    lsi1sk: `MSG#${at}#${id}`,
    entity: 'Message',
    providerMessageId: id,
    direction: 'inbound',
    origin: 'customer',
    type: 'text',
    text: 'x',
    occurredAt: at,
    ...overrides,
  };
}

describe('unansweredMessages', () => {
  const items = [
    msg('m1', '2026-11-21T10:00:00.000Z'),
    msg('echo', '2026-11-21T10:00:01.000Z', { direction: 'outbound', origin: 'business_echo' }),
    msg('app', '2026-11-21T10:00:02.000Z', { direction: 'outbound', origin: 'business_app' }),
    msg('hist', '2026-11-21T10:00:03.000Z', { origin: 'history' }),
    msg('standby', '2026-11-21T10:00:04.000Z', { standby: true }),
    msg('reaction', '2026-11-21T10:00:05.000Z', { type: 'reaction' }),
    msg('system', '2026-11-21T10:00:06.000Z', { type: 'system' }),
    msg('deleted', '2026-11-21T10:00:07.000Z', { deletedAt: '2026-11-21T10:00:08.000Z' }),
    msg('out_agent', '2026-11-21T10:00:08.000Z', { direction: 'outbound', origin: 'agent', providerMessageId: undefined }),
    msg('m2', '2026-11-21T10:00:09.000Z', { type: 'image' }),
  ];

  it('keeps only what a customer wrote, in time order', () => {
    expect(unansweredMessages(items).map((m) => m.providerMessageId)).toEqual(['m1', 'm2']);
  });

  it('skips everything up to and including the answered mark', () => {
    expect(unansweredMessages(items, items[0]!.lsi1sk).map((m) => m.providerMessageId)).toEqual(['m2']);
    expect(unansweredMessages(items, items[9]!.lsi1sk)).toEqual([]);
  });
});

describe('outboundIdFor', () => {
  it('is deterministic, per conversation and latest message', () => {
    const id = outboundIdFor('wa:1:2', 'wamid.A');
    expect(id).toMatch(/^out_[0-9a-f]{32}$/);
    expect(outboundIdFor('wa:1:2', 'wamid.A')).toBe(id);
    expect(outboundIdFor('wa:1:2', 'wamid.B')).not.toBe(id);
    expect(outboundIdFor('wa:1:3', 'wamid.A')).not.toBe(id);
  });
});
