import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeMessaging } from '#lambdas/channels/meta-messaging/normalize-messaging';
import { splitMessagingEntry } from '#lambdas/channels/meta-messaging/split-messaging';
import type { MessagingChannel } from '#lambdas/channels/meta-messaging/messaging-item';
import type { NormalizedEvent } from '#lambdas/conversation/model';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { entryWith, RECEIVED_AT, reverseKeys, sampleEvent, splitBody } from '#test/unit/channels/meta-messaging/meta-messaging-test-helpers';

const ACCOUNT = '100000000000001';
const CUSTOMER = '7000000000000001';
const ctx = { receivedAt: RECEIVED_AT };

function from(extra: Record<string, unknown>, sender: string = CUSTOMER): Record<string, unknown> {
  return { sender: { id: sender }, recipient: { id: ACCOUNT }, timestamp: 1767225600000, ...extra };
}

/** Splits a one-entry body around the given items and normalizes every event. */
function normalizeItems(items: unknown[], channel: MessagingChannel = 'messenger', extra: Record<string, unknown> = {}): NormalizedEvent[] {
  return splitMessagingEntry(channel, entryWith(ACCOUNT, items, extra), ctx).map(normalizeMessaging);
}

function one(item: unknown, channel: MessagingChannel = 'messenger'): NormalizedEvent {
  const [event] = normalizeItems([item], channel);
  if (!event) throw new Error('no event');
  return event;
}

describe('normalizeMessaging: messages', () => {
  it('maps a customer text to an inbound message in the customer conversation', () => {
    const [event] = splitBody('messenger', sampleEvent('messenger', 'text')).map(normalizeMessaging);

    expect(event).toEqual({
      kind: 'message',
      channel: 'messenger',
      conversationKey: `fb:${ACCOUNT}:${CUSTOMER}`,
      accountId: ACCOUNT,
      businessAccountId: ACCOUNT,
      occurredAt: '2026-01-01T00:00:00.000Z',
      eventId: 'fb:msg:m_fb-mid-text-0001',
      direction: 'inbound',
      origin: 'customer',
      providerMessageId: 'm_fb-mid-text-0001',
      customer: { id: CUSTOMER },
      type: 'text',
      text: 'Hello, I need help with a refund',
    });
  });

  it('maps an echo to an outbound business message keyed to the customer, with the sending app', () => {
    const [event] = splitBody('instagram', sampleEvent('instagram', 'echo-text')).map(normalizeMessaging);

    expect(event).toMatchObject({
      kind: 'message',
      conversationKey: 'ig:17840000000000001:900000000000001',
      customer: { id: '900000000000001' },
      direction: 'outbound',
      origin: 'business_echo',
      appId: '1000000000000001',
      eventId: 'ig:echo:ig-mid-echo-0001',
      text: 'Yes, it ships today.',
    });
  });

  it('gives the same canonical event for a redelivery, whatever the key order', () => {
    const body = sampleEvent('instagram', 'batch-several-senders');

    const first = splitBody('instagram', body).map(normalizeMessaging);
    const again = splitBody('instagram', reverseKeys(body)).map(normalizeMessaging);

    expect(again).toEqual(first);
    expect(first.map((e) => e.kind)).toEqual(['message', 'message', 'message', 'status', 'message']);
  });

  it('maps quick replies, replies, story replies and referrals on a message', () => {
    const [quick, reply, story, ad] = normalizeItems(
      [
        from({ message: { mid: 'q', text: 'Talk to a person', quick_reply: { payload: 'HANDOFF' } } }),
        from({ message: { mid: 'r', text: 'this one', reply_to: { mid: 'earlier' } } }),
        from({ message: { mid: 's', text: 'nice', reply_to: { story: { id: 1801, url: 'https://cdn.example.invalid/s' } } } }),
        from({
          message: {
            mid: 'a',
            text: 'Is this available?',
            referral: { ref: 'spring', ad_id: 6001, source: 'ADS', type: 'OPEN_THREAD', ads_context_data: { ad_title: 'Spring sale', post_id: '6002' } },
          },
        }),
      ],
      'instagram',
    );

    expect(quick).toMatchObject({ type: 'choice', text: 'Talk to a person', choice: { id: 'HANDOFF', title: 'Talk to a person', source: 'quick_reply' } });
    expect(reply).toMatchObject({ type: 'text', replyToMessageId: 'earlier' });
    expect(story).toMatchObject({ type: 'text', storyReply: { id: '1801', url: 'https://cdn.example.invalid/s' } });
    expect(ad).toMatchObject({
      type: 'text',
      referral: { ref: 'spring', adId: '6001', source: 'ADS', sourceType: 'OPEN_THREAD', headline: 'Spring sale', sourceId: '6002' },
    });
  });

  it.each([
    ['video', { type: 'video', payload: { url: 'https://v' } }, { type: 'video', media: [{ url: 'https://v' }] }],
    ['audio', { type: 'audio', payload: { url: 'https://a' } }, { type: 'audio', media: [{ url: 'https://a' }] }],
    ['file', { type: 'file', payload: { url: 'https://f' } }, { type: 'file', media: [{ url: 'https://f' }] }],
    [
      'ig_post',
      { type: 'ig_post', payload: { url: 'https://p', title: 'A post', ig_post_media_id: 1799 } },
      { type: 'share', text: 'A post', media: [{ url: 'https://p', id: '1799', caption: 'A post' }] },
    ],
    [
      'location',
      { type: 'location', title: 'Pinned', url: 'https://maps', payload: { coordinates: { lat: 1.5, long: 2.5 } } },
      { type: 'location', location: { latitude: 1.5, longitude: 2.5, name: 'Pinned', url: 'https://maps' } },
    ],
    ['location without coordinates', { type: 'location', payload: {} }, { type: 'unsupported' }],
    ['an unknown attachment type', { type: 'hologram', payload: { url: 'https://h' } }, { type: 'unsupported', media: [{ url: 'https://h' }] }],
    [
      'a sticker other than thumbs up',
      { type: 'image', payload: { sticker_id: 42, url: 'https://s' } },
      { type: 'sticker', media: [{ id: '42', url: 'https://s' }] },
    ],
  ])('maps a %s attachment', (_name, attachment, expected) => {
    const event = one(from({ message: { mid: 'x', attachments: [attachment] } }));

    expect(event).toMatchObject({ kind: 'message', ...expected });
    if (expected.type === 'sticker') expect(event).not.toHaveProperty('text');
  });

  it('marks standby messages so the bot never answers them', () => {
    const [event] = splitBody('messenger', sampleEvent('messenger', 'standby-text')).map(normalizeMessaging);

    expect(event).toMatchObject({ kind: 'message', standby: true, direction: 'inbound', text: 'Are you still there?' });
    expect(one(from({ message: { mid: 'm', text: 'x' } }))).not.toHaveProperty('standby');
  });

  it('maps a message with nothing we can read to unsupported rather than dropping it', () => {
    expect(one(from({ message: { mid: 'empty' } }))).toMatchObject({ kind: 'message', type: 'unsupported', providerMessageId: 'empty' });
  });

  it('maps postbacks, reactions and referrals', () => {
    const [postback, reaction, referral] = normalizeItems([
      from({ postback: { mid: 'pb1', title: 'Track my order', payload: 'TRACK' } }),
      from({ reaction: { mid: 'target', action: 'react', reaction: 'love' } }),
      from({ referral: { ref: 'qr-code', source: 'SHORTLINK', type: 'OPEN_THREAD', referer_uri: 'https://m.me/x' } }),
    ]);

    expect(postback).toMatchObject({
      type: 'choice',
      providerMessageId: 'pb1',
      text: 'Track my order',
      choice: { id: 'TRACK', title: 'Track my order', source: 'postback' },
    });
    // No emoji sent: the reaction's name is kept, so it does not read as a removal.
    expect(reaction).toMatchObject({ type: 'reaction', reaction: { targetMessageId: 'target', emoji: 'love', action: 'react' } });
    expect(referral).toMatchObject({
      type: 'referral',
      providerMessageId: referral?.eventId,
      referral: { ref: 'qr-code', source: 'SHORTLINK', sourceType: 'OPEN_THREAD', sourceUrl: 'https://m.me/x' },
    });
  });
});

describe('normalizeMessaging: changes to messages and receipts', () => {
  it('maps an edit without a sender to message_edited with no invented customer', () => {
    const event = one({ timestamp: 1767225600000, message_edit: { mid: 'm9', text: 'fixed', num_edit: 1 } }, 'instagram');

    expect(event).toEqual({
      kind: 'message_edited',
      channel: 'instagram',
      conversationKey: `ig:${ACCOUNT}:_account`,
      accountId: ACCOUNT,
      businessAccountId: ACCOUNT,
      occurredAt: '2026-01-01T00:00:00.000Z',
      eventId: 'ig:edit:m9:1',
      providerMessageId: 'm9',
      origin: 'customer',
      text: 'fixed',
      editCount: 1,
    });
  });

  it('maps deletions of customer and business messages', () => {
    const [customer, business] = normalizeItems([
      from({ message: { mid: 'd1', is_deleted: true } }),
      { sender: { id: ACCOUNT }, recipient: { id: CUSTOMER }, message: { mid: 'd2', is_deleted: true, is_echo: true } },
    ]);

    expect(customer).toMatchObject({ kind: 'message_deleted', providerMessageId: 'd1', origin: 'customer', customer: { id: CUSTOMER } });
    expect(business).toMatchObject({ kind: 'message_deleted', providerMessageId: 'd2', origin: 'business_echo', customer: { id: CUSTOMER } });
  });

  it('maps delivery and read receipts with their watermarks', () => {
    const [delivery, read] = splitBody('messenger', sampleEvent('messenger', 'delivery-and-read')).map(normalizeMessaging);

    expect(delivery).toMatchObject({
      kind: 'status',
      status: 'delivered',
      conversationKey: `fb:${ACCOUNT}:${CUSTOMER}`,
      providerMessageIds: ['m_fb-mid-out-0001', 'm_fb-mid-out-0002'],
      watermark: '2026-01-01T00:01:29.000Z',
    });
    // Two messages: no single providerMessageId to pretend about.
    expect(delivery).not.toHaveProperty('providerMessageId');
    expect(read).toMatchObject({ kind: 'status', status: 'read', watermark: '2026-01-01T00:01:39.000Z' });
  });
});

describe('normalizeMessaging: notifications', () => {
  it('records a recurring-notification opt-in with the token state but never the token', () => {
    const body = sampleEvent('messenger', 'optin-recurring-notifications');

    const [event] = splitBody('messenger', body).map(normalizeMessaging);

    expect(event).toEqual({
      kind: 'notification',
      channel: 'messenger',
      topic: 'messenger.optin',
      conversationKey: `fb:${ACCOUNT}:${CUSTOMER}`,
      accountId: ACCOUNT,
      businessAccountId: ACCOUNT,
      occurredAt: '2026-01-01T00:03:20.000Z',
      eventId: expect.stringMatching(/^fb:optin:[0-9a-f]{32}$/),
      customer: { id: CUSTOMER },
      details: {
        type: 'notification_messages',
        payload: 'WEEKLY_DEALS',
        title: 'Weekly deals',
        hasToken: true,
        tokenStatus: 'NOT_REFRESHED',
        tokenExpiresAt: '2026-03-31T00:00:00.000Z',
        frequency: 'WEEKLY',
        timezone: 'Europe/Berlin',
      },
    });
    expect(JSON.stringify(event)).not.toContain('synthetic-recurring-token-do-not-log');
  });

  it('records account linking, policy enforcement and handover without codes or free text', () => {
    const [linking, policy, pass, take] = normalizeItems([
      from({ account_linking: { status: 'linked', authorization_code: 'secret-code-123' } }),
      { recipient: { id: ACCOUNT }, timestamp: 1767225600000, 'policy-enforcement': { action: 'block', reason: 'spam' } },
      from({ pass_thread_control: { new_owner_app_id: 263902037430900, metadata: 'customer said something private' } }),
      from({ take_thread_control: { previous_owner_app_id: '1517776481860111' } }),
    ]);

    expect(linking).toMatchObject({ topic: 'messenger.account_linking', details: { status: 'linked', hasAuthorizationCode: true } });
    expect(JSON.stringify(linking)).not.toContain('secret-code-123');
    expect(policy).toMatchObject({
      topic: 'messenger.policy_enforcement',
      conversationKey: `fb:${ACCOUNT}:_account`,
      details: { action: 'block', reason: 'spam' },
    });
    expect(policy).not.toHaveProperty('customer');
    expect(pass).toMatchObject({ topic: 'messenger.pass_thread_control', details: { newOwnerAppId: '263902037430900', hasMetadata: true } });
    expect(JSON.stringify(pass)).not.toContain('private');
    expect(take).toMatchObject({ topic: 'messenger.take_thread_control', details: { previousOwnerAppId: '1517776481860111' } });
  });

  it('records comments as notifications with ids only, never the comment text', () => {
    const [event] = splitBody('instagram', sampleEvent('instagram', 'comment')).map(normalizeMessaging);

    expect(event).toEqual({
      kind: 'notification',
      channel: 'instagram',
      topic: 'instagram.comments',
      conversationKey: 'ig:17840000000000001:900000000000004',
      accountId: '17840000000000001',
      businessAccountId: '17840000000000001',
      occurredAt: '2026-01-01T00:03:20.000Z',
      eventId: expect.stringMatching(/^ig:comments:[0-9a-f]{32}$/),
      customer: { id: '900000000000004', username: 'a_customer' },
      details: { commentId: '18000000000000077', mediaId: '18000000000000066', mediaProductType: 'FEED' },
    });
    expect(JSON.stringify(event)).not.toContain('ship abroad');
  });

  it('records other change fields with their ids and states only', () => {
    const [event] = splitMessagingEntry(
      'messenger',
      {
        id: ACCOUNT,
        time: 1767225600,
        changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', post_id: '1_2', message: 'private words', from: { id: '77', name: 'A Person' } } }],
      },
      ctx,
    ).map(normalizeMessaging);

    expect(event).toMatchObject({ topic: 'messenger.feed', customer: { id: '77' }, details: { item: 'comment', verb: 'add', postId: '1_2' } });
    expect(JSON.stringify(event)).not.toMatch(/private words|A Person/);
  });
});

describe('normalizeMessaging: bad data', () => {
  it('quarantines an item that breaks the schema, naming paths but never values', () => {
    const event = one(from({ message: { mid: { nested: 'call me on +15550001111' }, text: 42 } }));

    expect(event).toMatchObject({ kind: 'quarantine', reason: 'schema:messenger.messaging', eventId: expect.stringMatching(/^fb:msg:[0-9a-f]{32}$/) });
    expect(event.kind === 'quarantine' && event.detail).toBe('message: message.mid:invalid_union, message.text:invalid_type');
    expect(JSON.stringify(event)).not.toContain('+15550001111');
  });

  it('quarantines an unknown item type, listing its keys', () => {
    expect(one(from({ hologram: { body: 'secret' } }))).toMatchObject({
      kind: 'quarantine',
      reason: 'unknown_messaging_type',
      detail: 'keys: hologram',
      conversationKey: `fb:${ACCOUNT}:${CUSTOMER}`,
    });
  });

  it('quarantines a notification whose body has the wrong shape', () => {
    expect(one(from({ optin: 'subscribed' }))).toMatchObject({ kind: 'quarantine', reason: 'schema:messenger.messaging', detail: 'optin: optin:invalid_type' });
  });

  it('quarantines a message that names no customer', () => {
    expect(one({ timestamp: 1, message: { mid: 'orphan', text: 'who?' } })).toMatchObject({
      kind: 'quarantine',
      reason: 'missing_customer',
      detail: 'message',
    });
  });

  it('quarantines a payload that is not a sliced item, and a change without a field', () => {
    const bad: IngressEvent = {
      v: 1,
      kind: 'messaging',
      channel: 'instagram',
      entryId: ACCOUNT,
      conversationKey: `ig:${ACCOUNT}:_account`,
      eventId: 'ig:x',
      receivedAt: RECEIVED_AT,
      payload: 'not an object',
    };

    expect(normalizeMessaging(bad)).toMatchObject({ kind: 'quarantine', reason: 'schema:instagram.messaging', occurredAt: RECEIVED_AT });
    expect(normalizeMessaging({ ...bad, entryId: undefined })).toMatchObject({ reason: 'missing_entry_id' });
    expect(normalizeMessaging({ ...bad, kind: 'change', payload: { value: {} } })).toMatchObject({
      reason: 'schema:instagram.change',
      detail: 'change: field:invalid_type',
    });
    expect(normalizeMessaging({ ...bad, channel: 'whatsapp' })).toMatchObject({ reason: 'unroutable:whatsapp:messaging' });
  });

  it('dates an item by its timestamp, else the entry time, else the time it was received', () => {
    const withTimestamp = one(from({ message: { mid: 'a', text: 'x' }, timestamp: '2021-09-08T06:34:04+0000' }));
    const entryTimeOnly = normalizeItems([{ sender: { id: CUSTOMER }, message: { mid: 'b', text: 'x' } }])[0];
    const [nothing] = splitMessagingEntry('messenger', { id: ACCOUNT, messaging: [{ sender: { id: CUSTOMER }, message: { mid: 'c', text: 'x' } }] }, ctx).map(
      normalizeMessaging,
    );

    expect(withTimestamp.occurredAt).toBe('2021-09-08T06:34:04.000Z');
    expect(entryTimeOnly?.occurredAt).toBe('2026-01-01T00:00:00.500Z');
    expect(nothing?.occurredAt).toBe(RECEIVED_AT);
  });

  it('never throws, whatever an item holds', () => {
    const item = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          sender: fc.oneof(fc.record({ id: fc.oneof(fc.string(), fc.integer()) }), fc.jsonValue()),
          recipient: fc.jsonValue(),
          timestamp: fc.jsonValue(),
          message: fc.oneof(
            fc.record({ mid: fc.jsonValue(), text: fc.jsonValue(), attachments: fc.jsonValue(), is_echo: fc.jsonValue() }, { requiredKeys: [] }),
            fc.jsonValue(),
          ),
          reaction: fc.jsonValue(),
          read: fc.jsonValue(),
          postback: fc.jsonValue(),
          optin: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 4 }), fc.constantFrom<MessagingChannel>('instagram', 'messenger'), (items, channel) => {
        const events = splitMessagingEntry(channel, entryWith(ACCOUNT, items), ctx);
        expect(events).toHaveLength(items.length);
        for (const event of events) {
          const normalized = normalizeMessaging(event);
          expect(['message', 'status', 'message_deleted', 'message_edited', 'notification', 'quarantine']).toContain(normalized.kind);
          expect(normalized.eventId).toBe(event.eventId);
        }
      }),
      { numRuns: 300 },
    );
  });
});
