import { describe, expect, it } from 'vitest';
import { conformanceFiles, readConformance, readConformanceJson } from '#test/helpers/conformance';
import { expectConformance, throughPipeline, type ConformanceExpectation } from '#test/unit/channels/meta-messaging/meta-messaging-test-helpers';

/**
 * Every published Instagram payload in the shared corpus, with the canonical events it must
 * become. Long real ids and signed CDN links are matched by their distinctive start.
 */
const FOLDER = 'instagram';
const ISO_FIXTURE_TIME = '2021-09-08T06:34:04.000Z';
const CHATWOOT_KEY = 'ig:instagram-message-id-123:Sender-id-1';
const CHATWOOT_REEL_KEY = 'ig:instagram-message-id-1234:Sender-id-1';
const COURIER_KEY = 'ig:1234567890:5678';
const COURIER_TIME = '2016-04-07T01:11:27.970Z';
const igMid = (start: string): unknown => expect.stringMatching(new RegExp(`^${start}[A-Za-z0-9]+$`));
const eventIdOf = (prefix: string, midStart: string, suffix = ''): unknown => expect.stringMatching(new RegExp(`^${prefix}${midStart}[A-Za-z0-9]+${suffix}$`));

const ECHO_MID = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDcwMDI2MTkxMzU4';
const STANDBY_MID = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDU2Nzc4NzUyNjg3';
const REACTED_MID = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA0NjQ1NTkzNDMz';
const STORY_REPLY_MID = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDUzMjQ3MTcwMDg4';
const UNSUPPORTED_MID = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDUyNjkxNjAwMDk4';

const inbound = { kind: 'message', channel: 'instagram', direction: 'inbound', origin: 'customer' } as const;
const echo = { kind: 'message', channel: 'instagram', direction: 'outbound', origin: 'business_echo' } as const;

const EXPECTED: Record<string, ConformanceExpectation> = {
  'chatwoot-attachment-ig-reel.json': {
    missingObject: true,
    events: [
      {
        ...inbound,
        conversationKey: CHATWOOT_REEL_KEY,
        accountId: 'instagram-message-id-1234',
        businessAccountId: 'instagram-message-id-1234',
        customer: { id: 'Sender-id-1' },
        occurredAt: ISO_FIXTURE_TIME,
        eventId: 'ig:msg:message-id-1',
        providerMessageId: 'message-id-1',
        type: 'share',
        text: 'Reel title',
        media: [{ url: 'https://www.example.com/test.jpeg', id: '1234', caption: 'Reel title' }],
        absent: ['standby'],
      },
    ],
  },
  'chatwoot-attachment-share.json': {
    missingObject: true,
    events: [
      {
        ...inbound,
        conversationKey: CHATWOOT_REEL_KEY,
        eventId: 'ig:msg:message-id-1',
        occurredAt: ISO_FIXTURE_TIME,
        type: 'share',
        media: [{ url: 'https://www.example.com/test.jpeg' }],
        absent: ['text'],
      },
    ],
  },
  // The App Dashboard's Test button: a `messages` change for account "0". Recorded, never answered.
  'chatwoot-dashboard-test-event.json': {
    missingObject: true,
    events: [
      {
        kind: 'notification',
        channel: 'instagram',
        topic: 'instagram.messages',
        conversationKey: 'ig:0:_account',
        accountId: '0',
        occurredAt: '2018-05-27T22:23:44.000Z',
        eventId: expect.stringMatching(/^ig:messages:[0-9a-f]{32}$/),
        details: { messageId: 'random_mid', dashboardTest: true },
        absent: ['customer'],
      },
    ],
  },
  'chatwoot-messaging-seen.json': {
    missingObject: true,
    events: [
      {
        kind: 'status',
        status: 'read',
        conversationKey: CHATWOOT_KEY,
        customer: { id: 'Sender-id-1' },
        providerMessageId: 'message-id-1',
        eventId: 'ig:read:message-id-1:Sender-id-1',
        occurredAt: ISO_FIXTURE_TIME,
        absent: ['watermark'],
      },
    ],
  },
  'chatwoot-reply-to-mid.json': {
    missingObject: true,
    events: [
      {
        ...inbound,
        conversationKey: CHATWOOT_KEY,
        eventId: 'ig:msg:message-id-2',
        providerMessageId: 'message-id-2',
        // The item's own timestamp wins over the entry time (a minute later in this file).
        occurredAt: ISO_FIXTURE_TIME,
        type: 'text',
        text: 'This is message with replyto mid',
        replyToMessageId: 'message-id-1',
      },
    ],
  },
  'chatwoot-standby-text.json': {
    missingObject: true,
    events: [
      {
        ...inbound,
        conversationKey: CHATWOOT_KEY,
        eventId: 'ig:msg:message-id-1',
        type: 'text',
        text: 'This is the first standby message from the customer, after 24 hours.',
        standby: true,
      },
    ],
  },
  // Neither participant is the entry id here, so the echo's recipient is the customer.
  'chatwoot-story-mention-echo.json': {
    missingObject: true,
    events: [
      {
        ...echo,
        conversationKey: 'ig:instagram-message-id-1234:chatwoot-app-user-id-1',
        customer: { id: 'chatwoot-app-user-id-1' },
        eventId: 'ig:echo:message-id-1',
        providerMessageId: 'message-id-1',
        type: 'story_mention',
        media: [{ url: 'https://www.example.com/test.jpeg' }],
      },
    ],
  },
  'chatwoot-story-mention.json': {
    missingObject: true,
    events: [
      {
        ...inbound,
        conversationKey: CHATWOOT_REEL_KEY,
        eventId: 'ig:msg:mention-message-id-1',
        providerMessageId: 'mention-message-id-1',
        type: 'story_mention',
        media: [{ url: 'https://www.example.com/test.jpeg' }],
      },
    ],
  },
  'chatwoot-story-reply.json': {
    missingObject: true,
    events: [
      {
        ...inbound,
        conversationKey: CHATWOOT_KEY,
        eventId: 'ig:msg:message-id-1',
        type: 'text',
        text: 'This is the story reply',
        storyReply: { id: 'chatwoot-app-user-id-1', url: 'https://chatwoot-assets.local/sample.png' },
        absent: ['replyToMessageId'],
      },
    ],
  },
  // Epoch-milliseconds entry time and an epoch-seconds string timestamp in one item.
  'chatwoot-test-text-numeric.json': {
    missingObject: true,
    events: [
      {
        ...inbound,
        conversationKey: 'ig:0:12334',
        accountId: '0',
        customer: { id: '12334' },
        occurredAt: '2018-05-27T22:23:44.000Z',
        eventId: 'ig:msg:random_mid',
        type: 'text',
        text: 'random_text',
      },
    ],
  },
  'chatwoot-text.json': {
    missingObject: true,
    events: [
      {
        ...inbound,
        conversationKey: CHATWOOT_KEY,
        accountId: 'instagram-message-id-123',
        customer: { id: 'Sender-id-1' },
        occurredAt: ISO_FIXTURE_TIME,
        eventId: 'ig:msg:message-id-1',
        providerMessageId: 'message-id-1',
        type: 'text',
        text: 'This is the first message from the customer',
      },
    ],
  },
  'chatwoot-unsend-is-deleted.json': {
    missingObject: true,
    events: [
      {
        kind: 'message_deleted',
        conversationKey: CHATWOOT_KEY,
        eventId: 'ig:deleted:message-id-to-delete',
        providerMessageId: 'message-id-to-delete',
        origin: 'customer',
        customer: { id: 'Sender-id-1' },
        occurredAt: ISO_FIXTURE_TIME,
      },
    ],
  },
  'chatwoot-unsupported.json': {
    missingObject: true,
    events: [
      {
        ...inbound,
        conversationKey: 'ig:instagram-message-unsupported-id-123:Sender-id-1',
        eventId: 'ig:msg:unsupported-message-id-1',
        type: 'unsupported',
        absent: ['text', 'media'],
      },
    ],
  },
  'courier-attachment-image.json': {
    events: [
      {
        ...inbound,
        conversationKey: COURIER_KEY,
        accountId: '1234567890',
        customer: { id: '5678' },
        occurredAt: COURIER_TIME,
        eventId: 'ig:msg:external_id',
        providerMessageId: 'external_id',
        type: 'image',
        media: [{ url: 'https://image-url/foo.png' }],
      },
    ],
  },
  // An echo naming the account as recipient: the other side (5678) is the customer.
  'courier-echo.json': {
    events: [
      {
        ...echo,
        conversationKey: COURIER_KEY,
        customer: { id: '5678' },
        eventId: 'ig:echo:qT7ywaK',
        providerMessageId: 'qT7ywaK',
        // No entry time, so the item's timestamp is the only time.
        occurredAt: COURIER_TIME,
        type: 'unsupported',
        absent: ['text', 'appId'],
      },
    ],
  },
  'courier-icebreaker-postback.json': {
    events: [
      {
        ...inbound,
        conversationKey: COURIER_KEY,
        eventId: expect.stringMatching(/^ig:postback:[0-9a-f]{32}$/),
        type: 'choice',
        text: 'icebreaker question',
        choice: { id: 'get_started', title: 'icebreaker question', source: 'postback' },
      },
    ],
  },
  'courier-like-heart.json': {
    events: [{ ...inbound, conversationKey: COURIER_KEY, eventId: 'ig:msg:external_id', type: 'sticker', text: '❤️', absent: ['media'] }],
  },
  'courier-story-mention.json': {
    events: [{ ...inbound, conversationKey: COURIER_KEY, eventId: 'ig:msg:external_id', type: 'story_mention', media: [{ url: 'https://story-url' }] }],
  },
  'courier-unsent-is-deleted.json': {
    events: [
      {
        kind: 'message_deleted',
        conversationKey: COURIER_KEY,
        eventId: 'ig:deleted:external_id',
        providerMessageId: 'external_id',
        origin: 'customer',
        occurredAt: '2019-09-23T18:14:45.349Z',
      },
    ],
  },
  // A real echo: the sender is the Instagram account itself, the recipient the customer.
  'issue-chatwoot-10341-echo-text.json': {
    events: [
      {
        ...echo,
        conversationKey: 'ig:17841470026191358:430915413000664',
        accountId: '17841470026191358',
        customer: { id: '430915413000664' },
        occurredAt: '2024-10-22T13:47:48.365Z',
        eventId: eventIdOf('ig:echo:', ECHO_MID),
        providerMessageId: igMid(ECHO_MID),
        type: 'text',
        text: 'test',
      },
    ],
  },
  'issue-chatwoot-5906-standby-text.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'ig:17841456778752687:8422491661125971',
        customer: { id: '8422491661125971' },
        occurredAt: '2022-11-20T06:43:00.365Z',
        eventId: eventIdOf('ig:msg:', STANDBY_MID),
        providerMessageId: igMid(STANDBY_MID),
        type: 'text',
        text: 'Hello',
        standby: true,
      },
    ],
  },
  'issue-megaapp-reaction-react-like.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'ig:17841404645593433:6234380736598057',
        customer: { id: '6234380736598057' },
        occurredAt: '2026-03-21T22:23:35.375Z',
        eventId: eventIdOf('ig:reaction:', REACTED_MID, ':react:👍:6234380736598057:1774131815375'),
        type: 'reaction',
        reaction: { targetMessageId: igMid(REACTED_MID), emoji: '👍', action: 'react' },
      },
    ],
  },
  'issue-restfb-1246-story-reply.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'ig:17841453247170088:3603717463085785',
        occurredAt: '2022-09-19T09:47:05.282Z',
        eventId: eventIdOf('ig:msg:', STORY_REPLY_MID),
        providerMessageId: igMid(STORY_REPLY_MID),
        type: 'text',
        text: 'Hello story',
        storyReply: {
          id: '18040775032372871',
          url: expect.stringMatching(/^https:\/\/lookaside\.fbsbx\.com\/ig_messaging_cdn\/\?asset_id=18040775032372871&signature=/),
        },
      },
    ],
  },
  'restfb-attachment-unsupported-type.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'ig:17841452691600098:5614879045272581',
        eventId: eventIdOf('ig:msg:', UNSUPPORTED_MID),
        type: 'unsupported',
        media: [{ url: expect.stringMatching(/^https:\/\/lookaside\.fbsbx\.com\/ig_messaging_cdn\/\?asset_id=17997515821557846&/) }],
      },
    ],
  },
  // Dashboard test payload (account "0"), epoch-seconds entry time; the comment text stays out.
  'restfb-comments-field.json': {
    events: [
      {
        kind: 'notification',
        channel: 'instagram',
        topic: 'instagram.comments',
        conversationKey: 'ig:0:1234536447',
        customer: { id: '1234536447', username: 'testuser' },
        occurredAt: '2018-02-23T15:21:47.000Z',
        eventId: expect.stringMatching(/^ig:comments:[0-9a-f]{32}$/),
        details: { commentId: '123456789', mediaId: '76543987', mediaProductType: 'FEED', parentId: '987654321', dashboardTest: true },
      },
    ],
  },
  'restfb-mentions-field.json': {
    events: [
      {
        kind: 'notification',
        topic: 'instagram.mentions',
        conversationKey: 'ig:0:_account',
        occurredAt: '2018-02-23T15:21:50.000Z',
        eventId: expect.stringMatching(/^ig:mentions:[0-9a-f]{32}$/),
        details: { commentId: '17887498072083520', mediaId: '17887498072083520', dashboardTest: true },
        absent: ['customer'],
      },
    ],
  },
  'restfb-messaging-seen.json': {
    events: [
      {
        kind: 'status',
        status: 'read',
        conversationKey: 'ig:17841452691600098:5614879045272581',
        customer: { id: '5614879045272581' },
        providerMessageId: 'MESSAGE-ID',
        eventId: 'ig:read:MESSAGE-ID:5614879045272581',
        occurredAt: '2022-11-09T19:32:13.735Z',
      },
    ],
  },
};

describe('Instagram conformance corpus', () => {
  it('has an expected outcome for every file in the corpus, and no expectation without a file', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(conformanceFiles(FOLDER));
  });

  it.each(conformanceFiles(FOLDER))('%s', (file) => {
    const expected = EXPECTED[file];
    if (!expected) throw new Error(`no expected outcome written for ${file}`);
    expectConformance('instagram', readConformance(FOLDER, file), expected);
  });

  it('keeps the comment text out of the canonical event', () => {
    const { normalized } = throughPipeline(readConformance(FOLDER, 'restfb-comments-field.json'));
    expect(JSON.stringify(normalized)).not.toContain('This is an example.');
  });

  // chatwoot issue #15494 describes an Instagram edit as `message_edit { mid, num_edit: 0 }` with
  // no sender; no published payload exists, so the chatwoot text fixture is reshaped that way.
  it('applies an edit that comes without a sender by message id, ordered with the account', () => {
    const body = readConformanceJson<{ entry: Array<{ messaging: Array<Record<string, unknown>> }> }>(FOLDER, 'chatwoot-text.json');
    const item = body.entry[0]?.messaging[0];
    if (!item) throw new Error('fixture changed shape');
    const edited = { timestamp: item.timestamp, message_edit: { mid: 'message-id-1', num_edit: 0 } };
    const raw = JSON.stringify({ object: 'instagram', entry: [{ ...body.entry[0], messaging: [edited] }] });

    const { normalized } = throughPipeline(raw);

    expect(normalized).toEqual([
      {
        kind: 'message_edited',
        channel: 'instagram',
        conversationKey: 'ig:instagram-message-id-123:_account',
        accountId: 'instagram-message-id-123',
        businessAccountId: 'instagram-message-id-123',
        occurredAt: ISO_FIXTURE_TIME,
        eventId: 'ig:edit:message-id-1:0',
        providerMessageId: 'message-id-1',
        origin: 'customer',
        editCount: 0,
      },
    ]);
  });
});
