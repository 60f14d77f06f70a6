import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { boundEventIds, MAX_DETAIL_BYTES, MAX_REASON_BYTES } from '#lambdas/conversation/bound-event-ids';
import { conversationKey } from '#lambdas/conversation/conversation-key';
import type { MessageEvent, NormalizedEvent } from '#lambdas/conversation/model';
import {
  accountPk,
  conversationPk,
  conversationsByStateSk,
  messageSk,
  messageTimeSk,
  providerIdPk,
  quarantineByDaySk,
  quarantinePk,
  statusSk,
} from '#lambdas/conversation/table-keys';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { MAX_RAW_ID_BYTES } from '#lambdas/shared/bounded-id';

const h = (s: string) => `h:${createHash('sha256').update(s).digest('hex')}`;
const long = (c: string, n = 1_100) => c.repeat(n);

const message: MessageEvent = {
  kind: 'message',
  channel: 'whatsapp',
  conversationKey: 'wa:100:5511999',
  accountId: '100',
  businessAccountId: '200',
  occurredAt: '2026-11-21T12:00:00.000Z',
  eventId: 'wa:msg:wamid.1',
  direction: 'inbound',
  origin: 'customer',
  providerMessageId: 'wamid.1',
  customer: { id: '5511999', waId: '5511999', name: 'Ana' },
  type: 'text',
  text: 'hola',
};

describe('boundEventIds', () => {
  it('leaves an event of real ids exactly as it was', () => {
    expect(boundEventIds(message)).toEqual(message);
  });

  it('hashes every long id a message carries and keeps each raw id, cut, by its field', () => {
    const hostile: MessageEvent = {
      ...message,
      providerMessageId: long('m'),
      customer: { id: long('c', 300_000), waId: long('c', 300_000), name: 'Ana' },
      replyToMessageId: long('r'),
      reaction: { targetMessageId: long('t'), emoji: '👍', action: 'react' },
      media: [{ id: long('i'), mimeType: 'image/jpeg' }],
      type: 'reaction',
    };
    const out = boundEventIds(hostile) as MessageEvent;
    expect(out).toMatchObject({
      providerMessageId: h(long('m')),
      customer: { id: h(long('c', 300_000)), waId: h(long('c', 300_000)), name: 'Ana' },
      replyToMessageId: h(long('r')),
      reaction: { targetMessageId: h(long('t')), emoji: '👍' },
      media: [{ id: h(long('i')), mimeType: 'image/jpeg' }],
      text: 'hola',
    });
    expect(out.rawIds).toEqual({
      providerMessageId: long('m'),
      'customer.id': long('c', MAX_RAW_ID_BYTES),
      'customer.waId': long('c', MAX_RAW_ID_BYTES),
      replyToMessageId: long('r'),
      'reaction.targetMessageId': long('t'),
      'media.0.id': long('i'),
    });
    expect(boundEventIds(out)).toEqual(out);
  });

  it('never adds a field the event did not have', () => {
    const out = boundEventIds({ ...message, providerMessageId: long('m') });
    expect(Object.keys(out).sort()).toEqual([...Object.keys(message), 'rawIds'].sort());
    expect(Object.keys((out as MessageEvent).customer).sort()).toEqual(Object.keys(message.customer).sort());
  });

  it('bounds status receipts naming many messages, and quarantine reasons and details', () => {
    const status = boundEventIds({
      kind: 'status',
      channel: 'messenger',
      conversationKey: 'fb:1:2',
      accountId: '1',
      businessAccountId: '1',
      occurredAt: message.occurredAt,
      eventId: `fb:delivery:${long('e', 800)}`,
      status: 'delivered',
      providerMessageIds: ['m_1', long('x')],
      customer: { id: '2' },
    });
    expect(status).toMatchObject({ eventId: h(`fb:delivery:${long('e', 800)}`), providerMessageIds: ['m_1', h(long('x'))] });
    const quarantine = boundEventIds({
      kind: 'quarantine',
      channel: 'whatsapp',
      conversationKey: long('k', 5_000),
      eventId: 'q1',
      occurredAt: message.occurredAt,
      reason: `schema:whatsapp.${long('f', 10_000)}`,
      detail: long('d', 10_000),
    });
    expect(quarantine).toMatchObject({ conversationKey: h(long('k', 5_000)), eventId: 'q1' });
    expect(quarantine.kind === 'quarantine' && Buffer.byteLength(quarantine.reason)).toBe(MAX_REASON_BYTES);
    expect(quarantine.kind === 'quarantine' && Buffer.byteLength(quarantine.detail!)).toBe(MAX_DETAIL_BYTES);
  });
});

describe('key builders', () => {
  it('keep keys of real ids readable and unchanged', () => {
    expect(conversationPk('wa:100:5511999')).toBe('CONV#wa:100:5511999');
    expect(messageSk('wamid.1')).toBe('MSG#wamid.1');
    expect(messageTimeSk('2026-11-21T12:00:00.000Z', 'wamid.1')).toBe('MSG#2026-11-21T12:00:00.000Z#wamid.1');
    expect(statusSk('wamid.1', 'read')).toBe('STATUS#wamid.1#read');
    expect(providerIdPk('wamid.1')).toBe('PMID#wamid.1');
    expect(accountPk('100')).toBe('ACCT#100');
    expect(quarantinePk('wa:msg:wamid.1')).toBe('QUARANTINE#wa:msg:wamid.1');
  });

  it('never build a key over DynamoDB limits, and agree with the normalizer on hashed ids', () => {
    const id = long('😀', 5_000);
    expect(messageSk(id)).toBe(`MSG#${h(id)}`);
    expect(messageSk(h(id))).toBe(`MSG#${h(id)}`);
    for (const sk of [
      messageSk(id),
      messageTimeSk(long('t', 5_000), id),
      statusSk(id, long('s', 5_000)),
      quarantineByDaySk(long('t', 5_000), id),
      conversationsByStateSk('2026-11-21T12:00:00.000Z', id),
    ]) {
      expect(Buffer.byteLength(sk)).toBeLessThanOrEqual(1_024);
    }
    for (const pk of [conversationPk(id), providerIdPk(id), accountPk(id), quarantinePk(id)]) expect(Buffer.byteLength(pk)).toBeLessThanOrEqual(2_048);
    expect(conversationKey('whatsapp', long('a'), long('c'))).toBe(`wa:${h(long('a'))}:${h(long('c'))}`);
  });
});

describe('normalizeIngressEvent with hostile ids', () => {
  function normalize(body: unknown): NormalizedEvent[] {
    return splitWebhookBody(JSON.stringify(body), { receivedAt: '2026-11-21T12:00:00.000Z' }).map((e) => {
      const n = normalizeIngressEvent(e);
      // The queue group and the stored conversation are the same conversation.
      if (n.kind !== 'quarantine') expect(n.conversationKey).toBe(e.conversationKey);
      return n;
    });
  }

  it('bounds a WhatsApp message id, customer id, reply id and account id', () => {
    const [event] = normalize({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '200',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '1555', phone_number_id: long('1', 2_000) },
                contacts: [{ profile: { name: 'Ana' }, wa_id: long('5', 3_000) }],
                messages: [{ from: long('5', 3_000), id: long('w'), timestamp: '1763730000', type: 'text', text: { body: 'hi' }, context: { id: long('q') } }],
              },
            },
          ],
        },
      ],
    });
    expect(event).toMatchObject({
      kind: 'message',
      conversationKey: `wa:${h(long('1', 2_000))}:${h(long('5', 3_000))}`,
      accountId: h(long('1', 2_000)),
      providerMessageId: h(long('w')),
      eventId: `wa:msg:${h(long('w'))}`,
      customer: { id: h(long('5', 3_000)) },
      replyToMessageId: h(long('q')),
      rawIds: { accountId: long('1', 2_000), providerMessageId: long('w'), replyToMessageId: long('q') },
    });
  });

  it('bounds an Instagram mid and IGSID, keeping a real 164-character mid readable', () => {
    const realMid = `aWdf${'Z'.repeat(160)}`;
    const [real, hostile] = normalize({
      object: 'instagram',
      entry: [
        {
          id: '17841400000000000',
          time: 1763730000000,
          messaging: [
            { sender: { id: '6234380736598057' }, recipient: { id: '17841400000000000' }, timestamp: 1763730000000, message: { mid: realMid, text: 'a' } },
            { sender: { id: long('6') }, recipient: { id: '17841400000000000' }, timestamp: 1763730000001, message: { mid: long('M'), text: 'b' } },
          ],
        },
      ],
    });
    expect(real).toMatchObject({ kind: 'message', providerMessageId: realMid, eventId: `ig:msg:${realMid}` });
    expect(real!.rawIds).toBeUndefined();
    expect(hostile).toMatchObject({
      kind: 'message',
      conversationKey: `ig:17841400000000000:${h(long('6'))}`,
      providerMessageId: h(long('M')),
      customer: { id: h(long('6')) },
    });
  });
});
