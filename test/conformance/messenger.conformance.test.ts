import { describe, expect, it } from 'vitest';
import { conformanceFiles, readConformance } from '#test/helpers/conformance';
import { expectConformance, throughPipeline, type ConformanceExpectation } from '#test/unit/channels/meta-messaging/meta-messaging-test-helpers';

/** Every published Messenger (`object: page`) payload in the shared corpus, with its canonical events. */
const FOLDER = 'messenger';
const COURIER_KEY = 'fb:1234567890:5678';
const COURIER_TIME = '2016-04-07T01:11:27.970Z';
const DOC_KEY = 'fb:PAGE_ID:USER_ID';
const DOC_TIME = '2016-03-23T00:25:52.478Z';
const RESTFB_KEY = 'fb:12345654332:987654321432';
const RESTFB_TIME = '2016-03-12T06:29:57.627Z';
const DOC_MID = 'mid.1457764197618:41d102a3e1ae206a38';

const inbound = { kind: 'message', channel: 'messenger', direction: 'inbound', origin: 'customer' } as const;
const echo = { kind: 'message', channel: 'messenger', direction: 'outbound', origin: 'business_echo' } as const;
const hashed = (prefix: string): unknown => expect.stringMatching(new RegExp(`^${prefix}:[0-9a-f]{32}$`));

const EXPECTED: Record<string, ConformanceExpectation> = {
  'courier-delivery.json': {
    events: [
      {
        kind: 'status',
        channel: 'messenger',
        status: 'delivered',
        conversationKey: COURIER_KEY,
        accountId: '1234567890',
        businessAccountId: '1234567890',
        customer: { id: '5678' },
        occurredAt: COURIER_TIME,
        eventId: 'fb:delivery:1458668856253:5678',
        providerMessageId: 'mid.1458668856218:ed81099e15d3f4f233',
        providerMessageIds: ['mid.1458668856218:ed81099e15d3f4f233'],
        watermark: '2016-03-22T17:47:36.253Z',
      },
    ],
  },
  // The recurring-notification token must not leave the normalizer (checked again below).
  'courier-optin-notification-messages.json': {
    events: [
      {
        kind: 'notification',
        channel: 'messenger',
        topic: 'messenger.optin',
        conversationKey: COURIER_KEY,
        customer: { id: '5678' },
        occurredAt: COURIER_TIME,
        eventId: hashed('fb:optin'),
        details: {
          type: 'notification_messages',
          payload: '3456',
          title: 'Bird Facts',
          hasToken: true,
          tokenStatus: 'NOT_REFRESHED',
          tokenExpiresAt: '2038-01-01T00:00:00.000Z',
          frequency: 'DAILY',
          timezone: 'UTC',
        },
      },
    ],
  },
  // A reel shared into a Page chat; its numeric reel id becomes the media id.
  'courier-page-ig-reel.json': {
    events: [
      {
        ...inbound,
        conversationKey: COURIER_KEY,
        eventId: 'fb:msg:external_id',
        providerMessageId: 'external_id',
        type: 'share',
        media: [{ url: '/reel/123451234512345/', id: '123451234512345' }],
      },
    ],
  },
  // The Like button: an image attachment carrying the thumbs-up sticker id.
  'courier-thumbs-up-sticker.json': {
    events: [
      {
        ...inbound,
        conversationKey: COURIER_KEY,
        eventId: 'fb:msg:external_id',
        type: 'sticker',
        text: '👍',
        media: [{ id: '369239263222822', url: 'https://scontent.xx.fbcdn.net/v/arst' }],
      },
    ],
  },
  'messenger4j-account-linking.json': {
    events: [
      {
        kind: 'notification',
        topic: 'messenger.account_linking',
        conversationKey: DOC_KEY,
        customer: { id: 'USER_ID' },
        // 1234567890 is too small for milliseconds: read as epoch seconds.
        occurredAt: '2009-02-13T23:31:30.000Z',
        eventId: hashed('fb:account_linking'),
        details: { status: 'linked', hasAuthorizationCode: true },
      },
    ],
  },
  // Three attachments in one message: typed by the first, every link and the location kept.
  'messenger4j-attachments-image-fallback-location.json': {
    events: [
      {
        ...inbound,
        conversationKey: DOC_KEY,
        occurredAt: DOC_TIME,
        eventId: 'fb:msg:mid.1458696618141:b4ef9d19ec21086067',
        providerMessageId: 'mid.1458696618141:b4ef9d19ec21086067',
        type: 'image',
        media: [{ url: 'http://image.url' }, { url: '<URL_OF_THE_ATTACHMENT>', caption: '<TITLE_OF_THE_URL_ATTACHMENT>' }],
        location: { latitude: 52.3765533, longitude: 9.7389123 },
        absent: ['text'],
      },
    ],
  },
  // No item timestamp: the entry time dates it.
  'messenger4j-delivery.json': {
    events: [
      {
        kind: 'status',
        status: 'delivered',
        conversationKey: DOC_KEY,
        customer: { id: 'USER_ID' },
        occurredAt: DOC_TIME,
        eventId: 'fb:delivery:1458668856253:USER_ID',
        providerMessageIds: ['mid.1458668856218:ed81099e15d3f4f233'],
        watermark: '2016-03-22T17:47:36.253Z',
      },
    ],
  },
  // An echoed receipt template: its title is kept, its payload (name, address) is not.
  'messenger4j-echo-template.json': {
    events: [
      {
        ...echo,
        conversationKey: 'fb:171999997131834678:1256299999730577',
        accountId: '171999997131834678',
        customer: { id: '1256299999730577' },
        occurredAt: '2016-11-26T00:33:22.725Z',
        eventId: 'fb:echo:mid.1480199999925:83392d9f65',
        providerMessageId: 'mid.1480199999925:83392d9f65',
        appId: '1559999994822905',
        type: 'share',
        text: 'Samsung Gear VR, Oculus Rift',
        absent: ['media'],
      },
    ],
  },
  'messenger4j-echo-text.json': {
    events: [
      {
        ...echo,
        conversationKey: DOC_KEY,
        customer: { id: 'USER_ID' },
        occurredAt: '2016-11-25T22:58:20.296Z',
        eventId: `fb:echo:${DOC_MID}`,
        providerMessageId: DOC_MID,
        appId: '1517776481860111',
        type: 'text',
        text: 'hello, text message world!',
      },
    ],
  },
  // Checkbox plugin opt-in: no sender, only the business's user_ref; ordered with the Page.
  'messenger4j-optin-user-ref.json': {
    events: [
      {
        kind: 'notification',
        topic: 'messenger.optin',
        conversationKey: 'fb:PAGE_ID:_account',
        eventId: hashed('fb:optin'),
        details: { ref: 'PASS_THROUGH_PARAM', userRef: 'REF_FROM_CHECKBOX_PLUGIN' },
        absent: ['customer'],
      },
    ],
  },
  'messenger4j-postback-with-referral.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'fb:PAGE_ID:<PSID>',
        customer: { id: '<PSID>' },
        occurredAt: DOC_TIME,
        eventId: hashed('fb:postback'),
        type: 'choice',
        text: '<TITLE_FOR_THE_CTA>',
        choice: { id: '<USER_DEFINED_PAYLOAD>', title: '<TITLE_FOR_THE_CTA>', source: 'postback' },
        referral: { ref: '<REF DATA IF SPECIFIED IN THE AD>', adId: '<ID OF THE AD>', source: '<SHORTLINK>', sourceType: 'OPEN_THREAD' },
      },
    ],
  },
  'messenger4j-postback.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'fb:PAGE_ID:<PSID>',
        eventId: hashed('fb:postback'),
        type: 'choice',
        choice: { id: '<USER_DEFINED_PAYLOAD>', title: '<TITLE_FOR_THE_CTA>', source: 'postback' },
        absent: ['referral'],
      },
    ],
  },
  'messenger4j-quick-reply.json': {
    events: [
      {
        ...inbound,
        conversationKey: DOC_KEY,
        eventId: `fb:msg:${DOC_MID}`,
        type: 'choice',
        text: 'hello, world!',
        choice: { id: 'DEVELOPER_DEFINED_PAYLOAD', title: 'hello, world!', source: 'quick_reply' },
      },
    ],
  },
  'messenger4j-read.json': {
    events: [
      {
        kind: 'status',
        status: 'read',
        conversationKey: DOC_KEY,
        customer: { id: 'USER_ID' },
        occurredAt: '2016-03-22T17:47:36.463Z',
        eventId: 'fb:read:1458668856253:USER_ID',
        watermark: '2016-03-22T17:47:36.253Z',
        absent: ['providerMessageId'],
      },
    ],
  },
  'messenger4j-referral-ad.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'fb:<PAGE_ID>:<USER_ID>',
        eventId: hashed('fb:referral'),
        type: 'referral',
        referral: { source: 'ADS', sourceType: 'OPEN_THREAD', ref: '<REF DATA IF SPECIFIED IN THE AD>', adId: '<ID OF THE AD>' },
        absent: ['text'],
      },
    ],
  },
  'messenger4j-referral-shortlink.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'fb:<PAGE_ID>:<USER_ID>',
        eventId: hashed('fb:referral'),
        type: 'referral',
        referral: { source: 'SHORTLINK', sourceType: 'OPEN_THREAD', ref: '<REF DATA PASSED IN M.ME PARAM>' },
      },
    ],
  },
  'messenger4j-text-nlp.json': {
    events: [{ ...inbound, conversationKey: DOC_KEY, eventId: `fb:msg:${DOC_MID}`, type: 'text', text: 'hello, text message world!' }],
  },
  'messenger4j-text.json': {
    events: [
      {
        ...inbound,
        conversationKey: DOC_KEY,
        accountId: 'PAGE_ID',
        businessAccountId: 'PAGE_ID',
        customer: { id: 'USER_ID' },
        occurredAt: DOC_TIME,
        eventId: `fb:msg:${DOC_MID}`,
        providerMessageId: DOC_MID,
        type: 'text',
        text: 'hello, text message world!',
      },
    ],
  },
  // Numeric Page and user ids throughout.
  'restfb-attachment-image.json': {
    events: [
      {
        ...inbound,
        conversationKey: RESTFB_KEY,
        accountId: '12345654332',
        customer: { id: '987654321432' },
        occurredAt: '2016-03-23T01:30:18.268Z',
        eventId: 'fb:msg:mid.1458696618141:b4ef9d19ec21086067',
        type: 'image',
        media: [{ url: 'IMAGE_URL' }],
      },
    ],
  },
  'restfb-message-edit.json': {
    events: [
      {
        kind: 'message_edited',
        channel: 'messenger',
        conversationKey: RESTFB_KEY,
        customer: { id: '987654321432' },
        occurredAt: RESTFB_TIME,
        eventId: `fb:edit:${DOC_MID}:37`,
        providerMessageId: DOC_MID,
        origin: 'customer',
        text: 'hello, world!',
        editCount: 37,
      },
    ],
  },
  'restfb-message-is-deleted.json': {
    events: [
      {
        kind: 'message_deleted',
        conversationKey: RESTFB_KEY,
        eventId: 'fb:deleted:message_id',
        providerMessageId: 'message_id',
        origin: 'customer',
        customer: { id: '987654321432' },
      },
    ],
  },
  'restfb-message-is-unsupported.json': {
    events: [{ ...inbound, conversationKey: RESTFB_KEY, eventId: 'fb:msg:message_id', providerMessageId: 'message_id', type: 'unsupported' }],
  },
  'restfb-message-reply-to.json': {
    events: [
      {
        ...inbound,
        conversationKey: RESTFB_KEY,
        eventId: `fb:msg:${DOC_MID}`,
        type: 'text',
        text: 'hello, world!',
        replyToMessageId: 'very_long_id_representing_the_original_message',
      },
    ],
  },
  'restfb-postback-basic.json': {
    events: [
      {
        ...inbound,
        conversationKey: RESTFB_KEY,
        eventId: hashed('fb:postback'),
        type: 'choice',
        choice: { id: 'USER_DEFINED_PAYLOAD', source: 'postback' },
        absent: ['text'],
      },
    ],
  },
  'restfb-reaction-react.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'fb:1234567890321:USER_ID',
        occurredAt: '2019-10-30T19:51:38.502Z',
        eventId: 'fb:reaction:original_message_id:react:😢:USER_ID:1572465098502',
        type: 'reaction',
        reaction: { targetMessageId: 'original_message_id', emoji: '😢', action: 'react' },
      },
    ],
  },
  'restfb-reaction-unreact.json': {
    events: [
      {
        ...inbound,
        conversationKey: 'fb:1234567890321:USER_ID',
        eventId: 'fb:reaction:original_message_id:unreact::USER_ID:1572466511366',
        type: 'reaction',
        reaction: { targetMessageId: 'original_message_id', action: 'unreact' },
      },
    ],
  },
  // A standby echo whose recipient is the Page itself: the customer is the other side.
  'restfb-standby-echo.json': {
    events: [
      {
        ...echo,
        conversationKey: RESTFB_KEY,
        customer: { id: '987654321432' },
        occurredAt: RESTFB_TIME,
        eventId: `fb:echo:${DOC_MID}`,
        appId: '1517776481860111',
        type: 'text',
        text: 'hello, world!',
        standby: true,
      },
    ],
  },
};

describe('Messenger conformance corpus', () => {
  it('has an expected outcome for every file in the corpus, and no expectation without a file', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(conformanceFiles(FOLDER));
  });

  it.each(conformanceFiles(FOLDER))('%s', (file) => {
    const expected = EXPECTED[file];
    if (!expected) throw new Error(`no expected outcome written for ${file}`);
    expectConformance('messenger', readConformance(FOLDER, file), expected);
  });

  it('never lets a notification token, an authorization code or a receipt name through', () => {
    const outputs = ['courier-optin-notification-messages.json', 'messenger4j-account-linking.json', 'messenger4j-echo-template.json'].map((file) =>
      JSON.stringify(throughPipeline(readConformance(FOLDER, file)).normalized),
    );

    expect(outputs[0]).not.toContain('12345678901234567890');
    expect(outputs[1]).not.toContain('PASS_THROUGH_AUTHORIZATION_CODE');
    expect(outputs[2]).not.toMatch(/Peter Chang|Hacker Way|Visa 1234/);
  });
});
