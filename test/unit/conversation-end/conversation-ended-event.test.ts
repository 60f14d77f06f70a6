import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conversationEndedEvent } from '#lambdas/conversation-end/conversation-ended-event';
import { outcomeReason, outcomeTags } from '#lambdas/conversation/conversation-outcome';
import { CLOSE_OUTCOMES } from '#lambdas/routing/routing-model';
import { routingWorkOf } from '#lambdas/routing/wiring/routing-message';
import { CONVERSATION_OUTCOMES } from '#lambdas/contacts/contact-model';

const sample = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../events/conversation/${name}.json`, import.meta.url), 'utf8')) as {
    source: string;
    'detail-type': string;
    detail: Record<string, unknown>;
  };

describe('how a conversation ended, on the bus', () => {
  it('conversation.ended is the sample: ids and enum values only', () => {
    const ended = sample('conversation-ended');
    const { v: _v, ...detail } = ended.detail;
    const event = conversationEndedEvent(detail as unknown as Parameters<typeof conversationEndedEvent>[0]);
    expect({ source: event.source, 'detail-type': event.detailType, detail: event.detail }).toEqual({
      source: ended.source,
      'detail-type': ended['detail-type'],
      detail: ended.detail,
    });
    expect(JSON.stringify(ended.detail)).not.toMatch(/text|name/i);
  });

  it('conversation.closed with a sale still frees the agent (the routing queue reads it)', () => {
    const closed = sample('conversation-closed');
    expect(routingWorkOf(JSON.stringify(closed))).toMatchObject({ kind: 'release', how: { closed: 'converted' } });
  });

  it('every close outcome is a conversation outcome', () => {
    for (const outcome of CLOSE_OUTCOMES) expect(CONVERSATION_OUTCOMES).toContain(outcome);
  });

  it('keeps free text off the bus: tags of the tag form only, reasons of the enum form only', () => {
    expect(outcomeTags(new Set(['vip', 'black-friday', 'Ana Pérez', 'x'.repeat(41), 'ñandú']))).toEqual(['black-friday', 'vip', 'ñandú']);
    expect(outcomeTags(undefined)).toEqual([]);
    expect(outcomeTags(Array.from({ length: 60 }, (_, i) => `t${String(i).padStart(2, '0')}`))).toHaveLength(50);
    expect([outcomeReason('customer_request'), outcomeReason('Customer said: refund!'), outcomeReason(undefined)]).toEqual([
      'customer_request',
      'other',
      'other',
    ]);
  });
});
