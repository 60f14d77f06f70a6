import { describe, expect, it } from 'vitest';
import { splitMessagingEntry } from '#lambdas/channels/meta-messaging/split-messaging';
import { normalizeMessaging } from '#lambdas/channels/meta-messaging/normalize-messaging';
import { entryWith, RECEIVED_AT, reverseKeys, sampleEvent, splitBody } from '#test/unit/channels/meta-messaging/meta-messaging-test-helpers';

const ctx = { receivedAt: RECEIVED_AT };
const ACCOUNT = '17840000000000001';
const CUSTOMER = '900000000000001';

function from(sender: string, extra: Record<string, unknown>): Record<string, unknown> {
  return { sender: { id: sender }, recipient: { id: ACCOUNT }, timestamp: 1767225600000, ...extra };
}

describe('splitMessagingEntry', () => {
  it('cuts a batch with several senders and accounts into one event per item, each keyed to its own conversation', () => {
    // Prepare
    const body = sampleEvent('instagram', 'batch-several-senders');

    // Act
    const events = splitBody('instagram', body);

    // Assess
    expect(events.map((e) => [e.kind, e.conversationKey, e.eventId])).toEqual([
      ['messaging', `ig:${ACCOUNT}:900000000000001`, 'ig:msg:ig-mid-batch-0001'],
      ['messaging', `ig:${ACCOUNT}:900000000000002`, 'ig:msg:ig-mid-batch-0002'],
      ['messaging', `ig:${ACCOUNT}:900000000000001`, 'ig:reaction:ig-mid-echo-0001:react:❤️:900000000000001:1767225702000'],
      ['messaging', `ig:${ACCOUNT}:900000000000003`, 'ig:read:ig-mid-echo-0003:900000000000003'],
      ['messaging', 'ig:17840000000000009:900000000000001', 'ig:msg:ig-mid-batch-0009'],
    ]);
    expect(events[4]).toMatchObject({ v: 1, channel: 'instagram', entryId: '17840000000000009', entryTime: 1767225720600, receivedAt: RECEIVED_AT });
    expect(events[1]?.payload).toEqual({ source: 'messaging', item: (body.entry[0] as { messaging: unknown[] }).messaging[1] });
  });

  it('gives a redelivered body exactly the same events, whatever order Meta wrote the keys in', () => {
    const item = from(CUSTOMER, { postback: { title: 'Track my order', payload: 'TRACK' } });
    const optin = from(CUSTOMER, { optin: { type: 'notification_messages', payload: 'DEALS' } });
    const referral = from(CUSTOMER, { referral: { ref: 'spring', source: 'SHORTLINK', type: 'OPEN_THREAD' } });
    const comment = { field: 'comments', value: { id: '1801', from: { id: CUSTOMER }, media: { id: '1802' } } };
    const entry = entryWith(ACCOUNT, [item, optin, referral], { changes: [comment] });

    const first = splitMessagingEntry('instagram', entry, ctx);
    const again = splitMessagingEntry('instagram', structuredClone(entry), ctx);
    const reordered = splitMessagingEntry('instagram', reverseKeys(entry), ctx);

    expect(again).toEqual(first);
    expect(reordered.map((e) => [e.eventId, e.conversationKey])).toEqual(first.map((e) => [e.eventId, e.conversationKey]));
    // Items without a Meta id are named by a content hash, one distinct id per item.
    expect(new Set(first.map((e) => e.eventId)).size).toBe(4);
    expect(first.map((e) => e.eventId.split(':').slice(0, 2).join(':'))).toEqual(['ig:postback', 'ig:optin', 'ig:referral', 'ig:comments']);
  });

  it('builds event ids from Meta ids for every item type that has them', () => {
    const items = [
      from(CUSTOMER, { message: { mid: 'm1', text: 'hi' } }),
      { sender: { id: ACCOUNT }, recipient: { id: CUSTOMER }, timestamp: 1, message: { mid: 'm2', text: 'yo', is_echo: true } },
      from(CUSTOMER, { message: { mid: 'm3', is_deleted: true } }),
      from(CUSTOMER, { message_edit: { mid: 'm4', text: 'fixed', num_edit: 2 } }),
      from(CUSTOMER, { reaction: { mid: 'm5', action: 'unreact' } }),
      from(CUSTOMER, { reaction: { mid: 'm5', action: 'react', reaction: 'love' } }),
      from(CUSTOMER, { read: { watermark: 1767225600000 } }),
      from(CUSTOMER, { delivery: { mids: ['m6'], watermark: 1767225600001 } }),
      from(CUSTOMER, { postback: { mid: 'm7', payload: 'P' } }),
    ];

    const ids = splitMessagingEntry('messenger', entryWith(ACCOUNT, items), ctx).map((e) => e.eventId);

    expect(ids).toEqual([
      'fb:msg:m1',
      'fb:echo:m2',
      'fb:deleted:m3',
      'fb:edit:m4:2',
      `fb:reaction:m5:unreact::${CUSTOMER}:1767225600000`,
      `fb:reaction:m5:react:love:${CUSTOMER}:1767225600000`,
      `fb:read:1767225600000:${CUSTOMER}`,
      `fb:delivery:1767225600001:${CUSTOMER}`,
      'fb:postback:m7',
    ]);
  });

  it('tells apart react, unreact and react again with the same emoji (same ids, later times)', () => {
    const at = (timestamp: number, action: string) => ({
      sender: { id: CUSTOMER },
      recipient: { id: ACCOUNT },
      timestamp,
      reaction: { mid: 'm9', action, emoji: '👍' },
    });
    const items = [at(1767225600000, 'react'), at(1767225601000, 'unreact'), at(1767225602000, 'react')];
    const ids = splitMessagingEntry('instagram', entryWith(ACCOUNT, items), ctx).map((e) => e.eventId);
    expect(new Set(ids).size).toBe(3);
    // A redelivery of the same body gives the same ids.
    expect(splitMessagingEntry('instagram', entryWith(ACCOUNT, items), ctx).map((e) => e.eventId)).toEqual(ids);
  });

  it('keys an echo to the customer, whichever side of the echo names the account', () => {
    const echoFromAccount = { sender: { id: ACCOUNT }, recipient: { id: CUSTOMER }, message: { mid: 'e1', is_echo: true } };
    // Some published echoes name the account as recipient: the account is never the customer.
    const echoToAccount = { sender: { id: CUSTOMER }, recipient: { id: ACCOUNT }, message: { mid: 'e2', is_echo: true } };
    // Neither side is the account id (an app-scoped id): an echo's customer is its recipient.
    const echoOtherIds = { sender: { id: 'app-side' }, recipient: { id: CUSTOMER }, message: { mid: 'e3', is_echo: true } };
    const businessWithoutEchoFlag = { sender: { id: ACCOUNT }, recipient: { id: CUSTOMER }, message: { mid: 'e4', text: 'x' } };

    const keys = splitMessagingEntry('instagram', entryWith(ACCOUNT, [echoFromAccount, echoToAccount, echoOtherIds, businessWithoutEchoFlag]), ctx).map(
      (e) => e.conversationKey,
    );

    expect(keys).toEqual(Array(4).fill(`ig:${ACCOUNT}:${CUSTOMER}`));
  });

  it('reads numeric entry and participant ids as strings', () => {
    const entry = {
      id: 12345654332,
      time: 1457764198246,
      messaging: [{ sender: { id: 987654321432 }, recipient: { id: 12345654332 }, message: { mid: 'n1', text: 'x' } }],
    };

    const [event] = splitMessagingEntry('messenger', entry, ctx);

    expect(event).toMatchObject({ entryId: '12345654332', conversationKey: 'fb:12345654332:987654321432', eventId: 'fb:msg:n1' });
  });

  it('orders an edit without a sender with the account instead of inventing a customer', () => {
    const entry = entryWith(ACCOUNT, [{ timestamp: 1767225600000, message_edit: { mid: 'm9', num_edit: 0 } }]);

    const [event] = splitMessagingEntry('instagram', entry, ctx);

    expect(event).toMatchObject({ conversationKey: `ig:${ACCOUNT}:_account`, eventId: 'ig:edit:m9:0' });
  });

  it('marks standby items and splits changes with the commenter as customer', () => {
    const entry = {
      id: ACCOUNT,
      standby: [from(CUSTOMER, { message: { mid: 's1', text: 'hello' } })],
      changes: [
        { field: 'comments', value: { id: 'c1', from: { id: '555' } } },
        { field: 'mentions', value: { comment_id: 'c2', media_id: 'm2' } },
      ],
    };

    const events = splitMessagingEntry('instagram', entry, ctx);

    expect(events.map((e) => [e.kind, e.conversationKey])).toEqual([
      ['messaging', `ig:${ACCOUNT}:${CUSTOMER}`],
      ['change', `ig:${ACCOUNT}:555`],
      ['change', `ig:${ACCOUNT}:_account`],
    ]);
    expect(events[0]?.payload).toMatchObject({ source: 'standby' });
    expect(events[2]?.payload).toEqual({ field: 'mentions', value: { comment_id: 'c2', media_id: 'm2' } });
    expect(events[0]).not.toHaveProperty('entryTime');
  });

  it('names the same change reaching two accounts differently, so de-duplication keeps both', () => {
    const change = { field: 'mentions', value: { comment_id: 'c2', media_id: 'm2' } };

    const [a] = splitMessagingEntry('instagram', { id: '1', changes: [change] }, ctx);
    const [b] = splitMessagingEntry('instagram', { id: '2', changes: [change] }, ctx);

    expect(a?.eventId).not.toBe(b?.eventId);
  });

  it('throws on an entry it cannot key, so the caller quarantines the entry', () => {
    expect(() => splitMessagingEntry('instagram', 'garbage', ctx)).toThrow(TypeError);
    expect(() => splitMessagingEntry('instagram', { messaging: [] }, ctx)).toThrow(/no id/);
    expect(() => splitMessagingEntry('instagram', { id: '1', messaging: { sender: {} } }, ctx)).toThrow(/not an array/);
  });

  it('keeps a garbage item as its own event so the normalizer quarantines it and its siblings go through', () => {
    const entry = entryWith(ACCOUNT, [42, from(CUSTOMER, { message: { mid: 'ok', text: 'fine' } })]);

    const events = splitMessagingEntry('instagram', entry, ctx);
    const normalized = events.map(normalizeMessaging);

    expect(events[0]).toMatchObject({ conversationKey: `ig:${ACCOUNT}:_account` });
    expect(events[0]?.eventId).toMatch(/^ig:invalid:[0-9a-f]{32}$/);
    expect(normalized.map((n) => n.kind)).toEqual(['quarantine', 'message']);
    expect(normalized[0]).toMatchObject({ reason: 'schema:instagram.messaging' });
  });

  it('returns nothing for an entry with nothing in it (the dispatcher records it as empty)', () => {
    expect(splitMessagingEntry('messenger', { id: '1', time: 1 }, ctx)).toEqual([]);
  });
});
