/**
 * Every real WhatsApp payload in the shared conformance corpus, driven through the real
 * pipeline functions (splitWebhookBody → normalizeIngressEvent), with its expected outcome
 * written out by hand from the payload. A file added to the corpus without an entry here
 * fails the suite.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '#lambdas/conversation/model';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { CONFORMANCE_DIR, readConformance } from '#test/helpers/conformance';

const FOLDER = 'whatsapp';
const RECEIVED_AT = '2025-01-01T00:00:00.000Z';
const iso = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString();

type Expected = Record<string, unknown>;

function inbound(conversationKey: string, providerMessageId: string, fields: Expected): Expected {
  return {
    kind: 'message',
    channel: 'whatsapp',
    direction: 'inbound',
    origin: 'customer',
    conversationKey,
    providerMessageId,
    eventId: `wa:msg:${providerMessageId}`,
    ...fields,
  };
}

function status(conversationKey: string, providerMessageId: string, state: string, fields: Expected): Expected {
  return {
    kind: 'status',
    channel: 'whatsapp',
    conversationKey,
    providerMessageId,
    status: state,
    eventId: `wa:status:${providerMessageId}:${state}`,
    ...fields,
  };
}

function notification(conversationKey: string, topic: string, details: Expected, fields: Expected): Expected {
  return { kind: 'notification', channel: 'whatsapp', conversationKey, topic, details, ...fields };
}

// Customers that recur across a source's fixtures.
const BINDA = { id: '1111111111111', waId: '1111111111111', name: 'Mauricio Binda' };
const KERRY = { id: '5678', waId: '5678', name: 'Kerry Fisher' };
const PYWA = {
  id: '972987654321',
  waId: '972987654321',
  userId: 'US.13491208655302741918',
  parentUserId: 'US.ENT.11815799212886844830',
  name: 'Test Name',
};
const TESTUSER = { id: '491234567890', waId: '491234567890', name: 'TestUser' };
const WAJS = {
  id: '16315551181',
  waId: '16315551181',
  userId: 'US.13491208655302741918',
  parentUserId: 'US.11815799212886844830',
  username: '@testusername',
  name: 'test user name',
};

const B_KEY = 'wa:409552778964973:1111111111111';
const B_WABA = { accountId: '409552778964973', businessAccountId: '880480571844883' };
const P_KEY = 'wa:1122334455667:972987654321';
const R_KEY = 'wa:10634295353625:491234567890';
const W_KEY = 'wa:123456123:16315551181';
const META_ACCOUNT = 'wa:102290129340398:_account';

const B_STATUS_ID = 'wamid.nBgN6TUyN2k5NzAzM5kzNhUCABI8FDNFQjAxQkE5REI4NEUzQ5Y5QTNgAA==';
const R_MSG_ID = 'wamid.HBgNNDkxNTIwOTgzMzM5OBUCABIYHGDEHJVFHJEVCFHJEVBCMTkyODk1OEIyAA==';

const EXPECTED: Record<string, Expected[]> = {
  // ---- Bindambc/whatsapp-business-java-api ----
  'bindambc-account-review-update.json': [
    notification(
      'wa:whatsapp-business-account-id:_account',
      'whatsapp.account_review_update',
      { decision: 'APPROVED' },
      {
        accountId: 'whatsapp-business-account-id',
        businessAccountId: 'whatsapp-business-account-id',
        occurredAt: iso(1604703141),
      },
    ),
  ],
  'bindambc-account-update-disabled.json': [
    notification(
      'wa:whatsapp-business-account-id:_account',
      'whatsapp.account_update',
      { event: 'DISABLED_UPDATE', ban_state: 'SCHEDULE_FOR_DISABLE', ban_date: 'January 31, 2021' },
      { occurredAt: iso(1604703058) },
    ),
  ],
  'bindambc-account-update-restriction.json': [
    notification(
      'wa:whatsapp-business-account-id:_account',
      'whatsapp.account_update',
      {
        event: 'ACCOUNT_RESTRICTION',
        phone_number: '<PHONE_NUMBER>',
        restriction_types: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION,RESTRICTED_BIZ_INITIATED_MESSAGING,RESTRICTED_CUSTOMER_INITIATED_MESSAGING',
      },
      { occurredAt: iso(1604703141) },
    ),
  ],
  'bindambc-account-update-verified.json': [
    notification(
      'wa:whatsapp-business-account-id:_account',
      'whatsapp.account_update',
      { event: 'VERIFIED_ACCOUNT', phone_number: '1111111111111' },
      { occurredAt: iso(1604703058) },
    ),
  ],
  'bindambc-audio-voice.json': [
    inbound('wa:1111111111111:1111111111111', 'wamid.HBzk5zNkE1NNzAzgNNTUyNMDkzIYFDNFNhjMyNjcUCABQjA1NzcDY0M0AA==', {
      accountId: '1111111111111',
      businessAccountId: '1111111111111',
      occurredAt: iso(1673033070),
      type: 'audio',
      customer: BINDA,
      media: [
        {
          id: '827776106019109',
          mimeType: 'audio/ogg; codecs=opus',
          sha256: 'iWa0+O81ZLcSkZx6n4QAmrWuHpn8HWFX3gB6a3fQtmk=',
          voice: true,
        },
      ],
    }),
  ],
  'bindambc-button-template-quick-reply.json': [
    inbound(B_KEY, B_STATUS_ID, {
      ...B_WABA,
      occurredAt: iso(1673023653),
      type: 'choice',
      text: 'SIM',
      choice: { id: 'SIM', title: 'SIM', source: 'template_button' },
      replyToMessageId: B_STATUS_ID,
      customer: BINDA,
    }),
  ],
  'bindambc-contacts.json': [
    inbound(B_KEY, 'wamid.HBgNNEMkNETUyNUCDkzNABIYFDNFQjA1zk5NzAzMhQjA5OTFQjNFQkU3AA==', {
      occurredAt: iso(1673641462),
      type: 'contacts',
      customer: BINDA,
      contacts: [{ name: { formatted_name: 'Person Ok' }, phones: [{ wa_id: '5511111111111' }] }],
    }),
  ],
  'bindambc-document.json': [
    inbound('wa:1111111111111:1111111111111', 'wamid.HBgABIYNNTUyxMEFFk5NzATY2QT0TY2QT0zMDkzNhUCFDNFQjBFMNzARjFDQQ1AA==', {
      occurredAt: iso(1673034392),
      type: 'document',
      customer: BINDA,
      media: [{ id: '848704520347750', filename: '4_641947.pdf', mimeType: 'application/pdf' }],
    }),
  ],
  'bindambc-image.json': [
    inbound(B_KEY, 'wamid.HBgODE0NDQwANNTTBGRjkUyNzkzNhUCABIYFDNF5NzAzMDkQjBEQ3NjdBA==', {
      occurredAt: iso(1673032525),
      type: 'image',
      customer: BINDA,
      media: [{ id: '8472976218001204', mimeType: 'image/jpeg' }],
    }),
  ],
  'bindambc-location.json': [
    inbound(B_KEY, 'wamid.HBgNNVENjUTzk5NzAzMUyNDkzIYFDNBMERNhUCABBMkYzNjhFQzzNEUwAA==', {
      occurredAt: iso(1673641462),
      type: 'location',
      customer: BINDA,
      location: {
        latitude: -10.93941311633,
        longitude: -10.606395436721,
        url: 'https://foursquare.com/v/5c42c5667d8497002c6e09f9',
      },
    }),
  ],
  'bindambc-phone-number-name-update.json': [
    notification(
      'wa:waba-id:_account',
      'whatsapp.phone_number_name_update',
      { display_phone_number: '16505551111', decision: 'APPROVED', requested_verified_name: 'WhatsApp', rejection_reason: null },
      { occurredAt: iso(1608243053) },
    ),
  ],
  'bindambc-phone-number-quality-update.json': [
    notification(
      'wa:waba-id:_account',
      'whatsapp.phone_number_quality_update',
      { display_phone_number: '16505551111', event: 'FLAGGED', current_limit: 'TIER_10K' },
      { occurredAt: iso(1608243062) },
    ),
  ],
  'bindambc-reaction.json': [
    inbound(B_KEY, B_STATUS_ID, {
      occurredAt: iso(1673026587),
      type: 'reaction',
      customer: BINDA,
      reaction: { targetMessageId: B_STATUS_ID, emoji: '👍', action: 'react' },
    }),
  ],
  'bindambc-status-delivered-cbp.json': [
    status(B_KEY, B_STATUS_ID, 'delivered', {
      ...B_WABA,
      occurredAt: iso(1673020317),
      customer: { id: '1111111111111', waId: '1111111111111' },
      pricing: { billable: true, pricingModel: 'CBP', category: 'business_initiated' },
      billingConversation: { id: '8eb644d2350611f3746e7f0985bddfc1', originType: 'business_initiated' },
    }),
  ],
  'bindambc-status-failed-131047.json': [
    status('wa:109999999999999:5511111111111', 'wamid.HBgNN5NzAzMDkTUyNzkzNhUEjA1MjUwNCAUIyNEYUQ0OTVGNTY0MwA=', 'failed', {
      accountId: '109999999999999',
      businessAccountId: '111111111111111',
      occurredAt: iso(1682651887),
      customer: { id: '5511111111111', waId: '5511111111111' },
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        },
      ],
    }),
  ],
  'bindambc-status-failed-131053.json': [
    status(B_KEY, 'wamid.HBgNNTUyNzk5NzAUZBQTI3MzRGRDA3MjgzMDkzNhUCABEYEjNCR2OQA=', 'failed', {
      occurredAt: iso(1677783372),
      customer: { id: '1111111111111', waId: '1111111111111' },
      errors: [
        {
          code: 131053,
          title: 'Media upload error',
          message: 'Media upload error',
          details: 'Unsupported Video mime type text/html. Please use one of video/3gpp, video/mp4.',
        },
      ],
    }),
  ],
  'bindambc-status-sent-cbp.json': [
    status(B_KEY, B_STATUS_ID, 'sent', {
      occurredAt: iso(1673020317),
      customer: { id: '1111111111111', waId: '1111111111111' },
      pricing: { billable: true, pricingModel: 'CBP', category: 'business_initiated' },
      billingConversation: {
        id: '8eb644d2350611f3746e7f0985bddfc1',
        originType: 'business_initiated',
        expiresAt: iso(1673031000),
      },
    }),
  ],
  'bindambc-sticker.json': [
    inbound(B_KEY, B_STATUS_ID, {
      occurredAt: iso(1673028387),
      type: 'sticker',
      customer: BINDA,
      media: [{ id: '1604825680670873', mimeType: 'image/webp', animated: false }],
    }),
  ],
  'bindambc-template-status-flagged.json': [
    notification(
      'wa:whatsapp-business-account-id:_account',
      'whatsapp.message_template_status_update',
      {
        event: 'FLAGGED',
        message_template_id: '1234567',
        message_template_name: 'My message template',
        message_template_language: 'en-US',
        reason: null,
        disable_date: 'January 31, 2021',
      },
      { occurredAt: iso(1604703141) },
    ),
  ],
  'bindambc-template-status-rejected.json': [
    notification(
      'wa:880480871844883:_account',
      'whatsapp.message_template_status_update',
      {
        event: 'REJECTED',
        message_template_id: '905507062668800',
        message_template_name: 'schedule_confirmation4',
        message_template_language: 'pt_BR',
        reason: 'SCAM',
      },
      { occurredAt: iso(1674250641) },
    ),
  ],
  'bindambc-text.json': [inbound(B_KEY, B_STATUS_ID, { ...B_WABA, occurredAt: iso(1672947578), type: 'text', text: 'hi everyone!', customer: BINDA })],
  'bindambc-unsupported-deleted-131051.json': [
    inbound(B_KEY, B_STATUS_ID, {
      occurredAt: iso(1673026174),
      type: 'unsupported',
      customer: BINDA,
      errors: [
        {
          code: 131051,
          title: 'Message type unknown',
          message: 'Message type unknown',
          details: 'Message type is currently not supported.',
        },
      ],
    }),
  ],
  'bindambc-video.json': [
    inbound(B_KEY, 'wamid.HBgNNTUyNzk5NzAzMDkzNhUCABIYFDNFQjAwQjVGQUFGOEVDMTUyMTJBAA==', {
      occurredAt: iso(1673029501),
      type: 'video',
      customer: BINDA,
      media: [{ id: '661828760183585', caption: 'hello world', mimeType: 'video/mp4' }],
    }),
  ],

  // ---- nyaruka/courier ----
  'courier-group-message.json': [
    inbound('wa:1234567890:g.555555555', 'external_id', {
      accountId: '1234567890',
      businessAccountId: '8856996819413533',
      occurredAt: iso(1454119029),
      type: 'text',
      text: 'Hello World, group message',
      groupId: '555555555',
      // The conversation is the group; the ids and name are the participant who wrote.
      customer: { id: 'g.555555555', waId: '5678', name: 'Kerry Fisher' },
    }),
  ],
  'courier-interactive-nfm-reply.json': [
    inbound('wa:1234567890:5678', 'external_id', {
      occurredAt: iso(1454119029),
      type: 'flow_response',
      customer: KERRY,
      flowResponse: { flow_token: 'fl0w+t0k3n', first_name: 'Bob', age: '32' },
    }),
  ],
  'courier-location-named.json': [
    inbound('wa:1234567890:5678', 'external_id', {
      type: 'location',
      customer: KERRY,
      location: {
        latitude: 0,
        longitude: 1,
        name: 'Main Street Beach',
        address: 'Main Street Beach, Santa Cruz, CA',
        url: 'https://foursquare.com/v/4d7031d35b5df7744',
      },
    }),
  ],
  'courier-status-failed-131014-referral-conversion.json': [
    status('wa:1234567890:5678', 'external_id', 'failed', {
      occurredAt: iso(1454119029),
      customer: KERRY,
      errors: [{ code: 131014, title: 'Request for url https://URL.jpg failed with error: 404 (Not Found)' }],
      pricing: { billable: false, pricingModel: 'CBP', category: 'referral_conversion' },
      billingConversation: { id: 'CONVERSATION_ID', originType: 'referral_conversion', expiresAt: iso(1454119029) },
    }),
  ],
  'courier-text-bsuid-only.json': [
    inbound('wa:1234567890:US.1234', 'external_id', {
      type: 'text',
      text: 'Hello World',
      customer: { id: 'US.1234', userId: 'US.1234', parentUserId: 'US.ENT.5678', username: 'kfisher', name: 'Kerry Fisher' },
    }),
  ],
  'courier-value-level-errors.json': [
    notification(
      'wa:1234567890:_account',
      'whatsapp.errors',
      { code: 0, title: 'We were unable to authenticate the app user', error_count: 1 },
      { occurredAt: RECEIVED_AT, customer: KERRY },
    ),
  ],

  // ---- Meta documentation examples ----
  'metadoc-account-alerts.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.account_alerts',
      {
        entity_type: 'BUSINESS',
        entity_id: '506914307656634',
        alert_severity: 'WARNING',
        alert_status: 'ACTIVE',
        alert_type: 'INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED',
        alert_description:
          'Limits cannot be increased for your business <BUSINESS_PORTFOLIO_NAME>. Use WhatsApp Business platform actively for several days and follow our messaging policies.',
      },
      { occurredAt: iso(1745612159) },
    ),
  ],
  'metadoc-account-update-deleted.json': [notification(META_ACCOUNT, 'whatsapp.account_update', { event: 'ACCOUNT_DELETED' }, { occurredAt: iso(1743451903) })],
  'metadoc-account-update-partner-client-certification.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.account_update',
      {
        event: 'PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE',
        client_business_id: '2729063490586005',
        certification_status: 'APPROVED',
        certification_rejection_reasons: 'NONE',
      },
      { occurredAt: iso(1743138982) },
    ),
  ],
  'metadoc-automatic-events-lead.json': [
    notification(
      'wa:106540352242922:_account',
      'whatsapp.automatic_events',
      {
        event_name: 'LeadSubmitted',
        message_id: 'wamid.HBgLMTIwNjY3NzQ3OTgVAgASGBQzQUY3MDVCQzFBODE5ODU4MUZEOQA=',
        ctwa_clid: 'Afc3nYt4TTydumlFFsatFz8bR2yHCtVA92Veu_zDE4DgAI-QqCwM6eC3-K3lTGHRiLxRTVXFEsdyKQQSa-2obZyuGBq_EYypt_OwbMihBV0pbUoRmrGnEjwFTHop-Px0TfA',
      },
      { accountId: '106540352242922', businessAccountId: '102290129340398', occurredAt: iso(1749069089) },
    ),
  ],
  'metadoc-button-didnt-request-code.json': [
    inbound('wa:1234567890:12345678', 'wamid.HBgLMTIxMTU1NTE0NTYVAgASGCBBQ0I3MjdCNUUzMTE0QjhFQkM4RkQ4MEU3QkE0MUNEMgA=', {
      occurredAt: iso(1753919111),
      type: 'choice',
      text: "I didn't request a code",
      choice: { id: 'DID_NOT_REQUEST_CODE', title: "I didn't request a code", source: 'template_button' },
      replyToMessageId: 'wamid.HBgLMTIxMTU1NTE0NTYVAgARGBJDMDEyMTFDNTE5NkFCOUU3QTEA',
      customer: { id: '12345678', waId: '12345678', name: 'John' },
    }),
  ],
  'metadoc-interactive-list-reply.json': [
    inbound('wa:106540352242922:16505551234', 'wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTZDMzFGRUFBQjlDMzIzMzlEQwA=', {
      occurredAt: iso(1712595443),
      type: 'choice',
      text: 'Priority Mail Express',
      choice: { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days', source: 'list' },
      replyToMessageId: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIwMjg0RkMxOEMyMkNEQUFFRDgA',
      customer: { id: '16505551234', waId: '16505551234', name: 'Pablo Morales' },
    }),
  ],
  'metadoc-phone-number-quality-update-throughput.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.phone_number_quality_update',
      { display_phone_number: '15550783881', event: 'THROUGHPUT_UPGRADE', current_limit: 'TIER_UNLIMITED' },
      { occurredAt: iso(1748454394) },
    ),
  ],
  'metadoc-security-pin-reset.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.security',
      { display_phone_number: '15550783881', event: 'PIN_RESET_REQUEST', requester: '61555822107539' },
      { occurredAt: iso(1748811473) },
    ),
  ],
  'metadoc-smb-app-state-sync-add.json': [
    notification(
      'wa:106540352242922:_account',
      'whatsapp.smb_app_state_sync',
      { sync_type: 'contact', action: 'add' },
      { occurredAt: iso(1739321024), customer: { id: '16505551234', waId: '16505551234', name: 'Pablo Morales' } },
    ),
  ],
  'metadoc-status-delivered.json': [
    status('wa:106540352242922:16505551234', 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA', 'delivered', {
      occurredAt: iso(1750263773),
      customer: { id: '16505551234', waId: '16505551234' },
      pricing: { billable: true, pricingModel: 'CBP', category: 'service' },
      billingConversation: { id: '6ceb9d929c9bdc4f90e967a32f8639b4', originType: 'service' },
    }),
  ],
  'metadoc-template-category-update-pending.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.template_category_update',
      {
        message_template_id: '278077987957091',
        message_template_name: 'welcome_template',
        message_template_language: 'en-US',
        new_category: 'UTILITY',
        correct_category: 'MARKETING',
        category_update_at: iso(1746169200),
      },
      { occurredAt: iso(1746082800) },
    ),
  ],
  'metadoc-template-status-approved.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.message_template_status_update',
      {
        event: 'APPROVED',
        message_template_id: '1689556908129832',
        message_template_name: 'order_confirmation',
        message_template_language: 'en-US',
        message_template_category: 'UTILITY',
        reason: 'NONE',
      },
      { occurredAt: iso(1751247548) },
    ),
  ],
  'metadoc-user-preferences.json': [
    notification(
      'wa:106540352242922:16505551234',
      'whatsapp.user_preferences',
      { category: 'marketing_messages', value: 'resume' },
      { occurredAt: iso(1731705721), customer: { id: '16505551234', waId: '16505551234' } },
    ),
  ],
  'metadoc-value-level-errors-130429.json': [
    notification(
      'wa:106540352242922:_account',
      'whatsapp.errors',
      {
        code: 130429,
        title: 'Rate limit hit',
        message: 'Rate limit hit',
        details: 'Message failed to send because there were too many messages sent from this phone number in a short period of time',
        error_count: 1,
      },
      { occurredAt: RECEIVED_AT },
    ),
  ],

  // ---- positusapps/quick-docs (coexistence) ----
  'positus-history-phase0.json': [
    ['wamid.xyz', iso(1739230955), { type: 'text', text: 'mensagem1', deliveryStatus: 'read' }],
    // A media message whose content the history sync does not carry.
    ['wamid.abc', iso(1739230970), { type: 'unsupported', deliveryStatus: 'played' }],
    ['wamid.jkl', iso(1739230970), { type: 'text', text: 'mensagem2', deliveryStatus: 'read' }],
    ['wamid.rty', iso(1739230970), { type: 'text', text: 'mensagem3', deliveryStatus: 'delivered' }],
  ].map(([id, occurredAt, fields]) => ({
    kind: 'message',
    channel: 'whatsapp',
    conversationKey: 'wa:xxxxxxxxxxx:xxxxxxxxxxx',
    businessAccountId: '102290129340398',
    providerMessageId: id,
    eventId: `wa:history:${String(id)}`,
    // `from` equals the thread id: the customer wrote these.
    direction: 'inbound',
    origin: 'history',
    occurredAt,
    customer: { id: 'xxxxxxxxxxx', waId: 'xxxxxxxxxxx' },
    ...(fields as Expected),
  })),
  'positus-smb-app-state-sync-contact-add.json': [
    notification(
      'wa:xxxxxxxxxxxxxxxx:_account',
      'whatsapp.smb_app_state_sync',
      { sync_type: 'contact', action: 'add' },
      {
        occurredAt: iso(1739321024),
        customer: { id: 'xxxxxxxxxxxxxxxx', waId: 'xxxxxxxxxxxxxxxx', name: 'Name Lastname' },
      },
    ),
  ],

  // ---- david-lev/pywa ----
  'pywa-account-update-partner-added.json': [
    notification(
      'wa:2949482758682047:_account',
      'whatsapp.account_update',
      {
        event: 'PARTNER_ADDED',
        waba_id: '980198427658004',
        owner_business_id: '2329417887457253',
        solution_id: '1715120619246906',
        solution_partner_business_ids: '2949482758682047,520744086200222',
      },
      { occurredAt: iso(1744823932) },
    ),
  ],
  'pywa-account-update-partner-removed-disconnection.json': [
    notification(
      'wa:2949482758682047:_account',
      'whatsapp.account_update',
      {
        event: 'PARTNER_REMOVED',
        waba_id: '980198427658004',
        owner_business_id: '2329417887457253',
        disconnection_reason: 'PRIMARY_INACTIVITY',
        disconnection_initiated_by: 'SYSTEM',
      },
      { occurredAt: iso(1748477359) },
    ),
  ],
  'pywa-account-update-violation.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.account_update',
      { event: 'ACCOUNT_VIOLATION', violation_type: 'ADULT' },
      {
        occurredAt: iso(1743451903),
      },
    ),
  ],
  'pywa-account-update-volume-tier.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.account_update',
      {
        event: 'VOLUME_BASED_PRICING_TIER_UPDATE',
        volume_tier: '25000001:50000000',
        volume_tier_pricing_category: 'UTILITY',
        volume_tier_effective_month: '2025-11',
        volume_tier_region: 'India',
        volume_tier_updated_at: iso(1743451903),
      },
      { occurredAt: iso(1743451903) },
    ),
  ],
  'pywa-button-template-quick-reply.json': [
    inbound(P_KEY, 'wamid.xsidjw', {
      businessAccountId: '5467539754836534',
      occurredAt: iso(1698269027),
      type: 'choice',
      text: 'title',
      choice: { id: 'callback_data', title: 'title', source: 'template_button' },
      replyToMessageId: 'wamid.xyzxyz==',
      customer: PYWA,
    }),
  ],
  'pywa-calls-connect-user-initiated.json': [
    notification(
      'wa:743897493242:972987654321',
      'whatsapp.calls',
      { call_id: 'wacid.xxxx=', event: 'connect', direction: 'USER_INITIATED' },
      { businessAccountId: '100293269804676', occurredAt: iso(1752583107), customer: PYWA },
    ),
  ],
  'pywa-contacts-full.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697044621),
      type: 'contacts',
      customer: PYWA,
      contacts: [{ name: { formatted_name: 'Chandler Bing' } }, { name: { formatted_name: 'Monica' } }, { name: { formatted_name: 'Rachel Green' } }],
    }),
  ],
  'pywa-document-forwarded.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697043666),
      type: 'document',
      forwarded: true,
      customer: PYWA,
      media: [{ id: '1234567890987654321', caption: 'caption', filename: 'filename.pdf', mimeType: 'application/pdf' }],
    }),
  ],
  'pywa-edit-image.json': [
    {
      kind: 'message_edited',
      channel: 'whatsapp',
      // `from` and the only contact disagree in this fixture: `from` wins, the contact is not attached.
      conversationKey: 'wa:106540352242922:16505551234',
      eventId: 'wa:edit:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
      providerMessageId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=',
      text: 'Updated image caption',
      origin: 'customer',
      occurredAt: iso(1749854575),
      customer: { id: '16505551234', waId: '16505551234' },
    },
  ],
  'pywa-interactive-button-reply.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1698266730),
      type: 'choice',
      text: 'title',
      choice: { id: 'callback_data', title: 'title', source: 'button' },
      replyToMessageId: 'wamid.xyzxyz',
      customer: PYWA,
    }),
  ],
  'pywa-interactive-list-reply.json': [
    inbound(P_KEY, 'wamid.zyzxyz', {
      occurredAt: iso(1698266905),
      type: 'choice',
      text: 'title',
      choice: { id: 'callback_data', title: 'title', description: 'description', source: 'list' },
      replyToMessageId: 'wamid.xyzxyz',
      customer: PYWA,
    }),
  ],
  'pywa-interactive-nfm-reply.json': [
    inbound(P_KEY, 'wamid.wegrchytvwcggt==', {
      occurredAt: iso(1702502473),
      type: 'flow_response',
      replyToMessageId: 'wamid.gvwegfretge==',
      customer: PYWA,
      flowResponse: {
        comment_text: 'Comment Text',
        delivery_rating: '4',
        flow_token: 'AQAAAAACS5FpgQ_cAAAAAD0QI3s.',
        purchase_rating: '2',
        recommend_radio: '0',
        cs_rating: '0',
      },
    }),
  ],
  'pywa-interactive-with-error.json': [
    // The value-level error describes the message Meta could not render.
    inbound(P_KEY, 'wamid.wegrchytvwcggt=', {
      occurredAt: iso(1700505494),
      type: 'unsupported',
      replyToMessageId: 'wamid.gvwegfretge==',
      customer: PYWA,
      errors: [{ code: 131000, title: 'Something went wrong', message: 'Something went wrong', details: 'Unsupported webhook payload' }],
    }),
  ],
  'pywa-location-named-place.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697044557),
      type: 'location',
      forwarded: true,
      customer: PYWA,
      location: {
        latitude: 37.4611978,
        longitude: -122.2164385,
        name: 'Facebook HQ',
        address: '1 Hacker Way, Menlo Park, CA 94025',
        url: 'https://maps.google.com/?cid=2000000000000000000',
      },
    }),
  ],
  'pywa-order.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697044668),
      type: 'order',
      customer: PYWA,
      order: {
        catalogId: '354160437058781',
        items: [
          { productRetailerId: 'HAMBURGER', quantity: 3, itemPrice: 30, currency: 'ILS' },
          { productRetailerId: 'FRENCH_FRIES', quantity: 2, itemPrice: 35, currency: 'ILS' },
          { productRetailerId: 'SODA', quantity: 2, itemPrice: 10, currency: 'ILS' },
        ],
      },
    }),
  ],
  'pywa-referral-ctwa.json': [
    inbound(P_KEY, 'wamid.ID', {
      occurredAt: iso(1697045000),
      type: 'text',
      text: 'BODY',
      customer: PYWA,
      referral: {
        sourceType: 'ad or post',
        sourceId: 'ADID',
        sourceUrl: 'AD_OR_POST_FB_URL',
        headline: 'AD_TITLE',
        ctwaClid: 'CTWA_CLID',
      },
    }),
  ],
  'pywa-revoke-deleted.json': [
    {
      kind: 'message_deleted',
      channel: 'whatsapp',
      conversationKey: 'wa:<BUSINESS_PHONE_NUMBER_ID>:<WHATSAPP_USER_PHONE_NUMBER>',
      businessAccountId: '<WHATSAPP_BUSINESS_ACCOUNT_ID>',
      eventId: 'wa:revoke:<WHATSAPP_MESSAGE_ID>',
      providerMessageId: '<ORIGINAL_WHATSAPP_MESSAGE_ID>',
      origin: 'customer',
      occurredAt: iso(1697043223),
      customer: { id: '<WHATSAPP_USER_PHONE_NUMBER>', waId: '<WHATSAPP_USER_PHONE_NUMBER>' },
    },
  ],
  'pywa-smb-echo-edit.json': [
    {
      kind: 'message_edited',
      channel: 'whatsapp',
      conversationKey: 'wa:1122334455667:972123456789',
      eventId: 'wa:edit:wamid.yyyyyy',
      providerMessageId: 'wamid.zzzzzz',
      text: 'Text was edited',
      origin: 'business_app',
      occurredAt: iso(1697044968),
      customer: { id: '972123456789', waId: '972123456789' },
    },
  ],
  'pywa-smb-echo-revoke.json': [
    {
      kind: 'message_deleted',
      channel: 'whatsapp',
      conversationKey: 'wa:1122334455667:972123456789',
      eventId: 'wa:revoke:wamid.yyyyyy',
      providerMessageId: 'wamid.zzzzzz',
      origin: 'business_app',
      occurredAt: iso(1697044968),
      customer: { id: '972123456789', waId: '972123456789' },
    },
  ],
  'pywa-smb-echo-text.json': [
    {
      kind: 'message',
      channel: 'whatsapp',
      direction: 'outbound',
      origin: 'business_app',
      conversationKey: 'wa:1122334455667:<WHATSAPP_USER_PHONE_NUMBER>',
      businessAccountId: '<WHATSAPP_BUSINESS_ACCOUNT_ID>',
      eventId: 'wa:echo:<WHATSAPP_MESSAGE_ID>',
      providerMessageId: '<WHATSAPP_MESSAGE_ID>',
      occurredAt: iso(1697043223),
      type: 'text',
      text: 'Test message',
      customer: {
        id: '<WHATSAPP_USER_PHONE_NUMBER>',
        waId: '<WHATSAPP_USER_PHONE_NUMBER>',
        userId: '<BSUID>',
        parentUserId: '<PARENT_BSUID>',
      },
    },
  ],
  'pywa-status-failed-130472.json': [
    status(P_KEY, 'wamid.xyzxyz', 'failed', {
      occurredAt: iso(1689380458),
      customer: PYWA,
      errors: [
        {
          code: 130472,
          title: "User's number is part of an experiment",
          message: "User's number is part of an experiment",
          details: "Failed to send message because this user's phone number is part of an experiment",
        },
      ],
    }),
  ],
  'pywa-status-played.json': [
    status(P_KEY, 'wamid.xyzxyz', 'played', {
      occurredAt: iso(1689380458),
      customer: PYWA,
      pricing: { billable: true, pricingModel: 'CBP', category: 'service' },
      billingConversation: { id: '7270432eae37498234f4444b35ffc5', originType: 'service' },
    }),
  ],
  'pywa-status-read-group.json': [
    {
      kind: 'status',
      channel: 'whatsapp',
      status: 'read',
      conversationKey: 'wa:<BUSINESS_PHONE_NUMBER_ID>:g.fowefinoewcnw',
      providerMessageId: '<WHATSAPP_MESSAGE_ID>',
      // Each participant's read is its own event.
      eventId: 'wa:status:<WHATSAPP_MESSAGE_ID>:read:<GROUP_PARTICIPANT_USER_PHONE_NUMBER>',
      occurredAt: iso(1698266945),
      customer: {
        id: 'g.fowefinoewcnw',
        waId: '<GROUP_PARTICIPANT_USER_PHONE_NUMBER>',
        userId: 'US.123456',
        parentUserId: '<PARENT_BSUID>',
        username: '<USERNAME>',
        name: '<USER_DISPLAY_NAME>',
      },
    },
  ],
  'pywa-status-sent-biz-opaque.json': [
    status(P_KEY, 'wamid.xyzxyz', 'sent', {
      occurredAt: iso(1698266945),
      customer: PYWA,
      bizOpaqueCallbackData: 'some data',
      pricing: { billable: true, pricingModel: 'CBP', category: 'service' },
      billingConversation: { id: '7270432eae37498234f4444b35ffc5', originType: 'service', expiresAt: iso(1698339900) },
    }),
  ],
  'pywa-status-sent-service.json': [
    status(P_KEY, 'wamid.xyzxyz', 'sent', {
      occurredAt: iso(1698266945),
      customer: PYWA,
      pricing: { billable: true, pricingModel: 'CBP', category: 'service' },
      billingConversation: { id: '7270432eae37498234f4444b35ffc5', originType: 'service', expiresAt: iso(1698339900) },
    }),
  ],
  'pywa-sticker-animated.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697043785),
      type: 'sticker',
      customer: PYWA,
      media: [{ id: '1234567890987654321', mimeType: 'image/webp', animated: true }],
    }),
  ],
  'pywa-system-identity-changed.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697044706),
      type: 'system',
      system: { type: 'customer_identity_changed', body: 'User identity changed', identity: 'xyzxyz' },
      customer: { id: '972987654321', waId: '972987654321', name: 'User A' },
    }),
  ],
  'pywa-system-user-changed-number.json': [
    // Keyed by the old number, which sent the notice; the new one is in system.newWaId.
    inbound(P_KEY, 'wamid.xyzxyz==', {
      occurredAt: iso(1753851315),
      type: 'system',
      system: {
        type: 'user_changed_number',
        body: 'User A changed from 972987654321 to 972912345678',
        newWaId: '972912345678',
      },
      customer: { id: '972987654321', waId: '972987654321' },
    }),
  ],
  'pywa-template-category-update.json': [
    notification(
      'wa:57438975935:_account',
      'whatsapp.template_category_update',
      {
        message_template_id: '12345678',
        message_template_name: 'my_message_template',
        message_template_language: 'he',
        new_category: 'MARKETING',
      },
      { occurredAt: iso(1750344882) },
    ),
  ],
  'pywa-template-quality-update.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.message_template_quality_update',
      {
        message_template_id: '806312974732579',
        message_template_name: 'welcome_template',
        message_template_language: 'en_US',
        previous_quality_score: 'GREEN',
        new_quality_score: 'YELLOW',
      },
      { occurredAt: iso(1674864290) },
    ),
  ],
  'pywa-template-status-approved.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.message_template_status_update',
      {
        event: 'APPROVED',
        message_template_id: '1689556908129832',
        message_template_name: 'order_confirmation',
        message_template_language: 'en_US',
        message_template_category: 'UTILITY',
        reason: 'NONE',
      },
      { occurredAt: iso(1751247548) },
    ),
  ],
  'pywa-text-frequently-forwarded.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697044968),
      type: 'text',
      text: 'text forwarded many times',
      forwarded: true,
      frequentlyForwarded: true,
      customer: PYWA,
    }),
  ],
  'pywa-text-reply-context.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697044746),
      type: 'text',
      text: 'replied text',
      replyToMessageId: 'wamid.xyzxyz==',
      customer: PYWA,
    }),
  ],
  'pywa-unreaction-empty-emoji.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697044456),
      type: 'reaction',
      reaction: { targetMessageId: 'wamid.yzxyzx=', action: 'unreact' },
      customer: PYWA,
    }),
  ],
  'pywa-unsupported-131051.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697044706),
      type: 'unsupported',
      customer: PYWA,
      errors: [
        {
          code: 131051,
          title: 'Message type unknown',
          message: 'Message type unknown',
          details: 'Message type is currently not supported.',
        },
      ],
    }),
  ],
  'pywa-user-preferences-marketing.json': [
    // The item's wa_id differs from the only contact's: the item is the customer.
    notification(
      'wa:106540352242922:16505551234',
      'whatsapp.user_preferences',
      { category: 'marketing_messages', value: 'signup', signup_id: '13176843987434774' },
      { occurredAt: iso(1731705721), customer: { id: '16505551234', waId: '16505551234' } },
    ),
  ],
  'pywa-voice-audio.json': [
    inbound(P_KEY, 'wamid.xyzxyz', {
      occurredAt: iso(1697043473),
      type: 'audio',
      customer: PYWA,
      media: [{ id: '1234567890987654321', mimeType: 'audio/ogg; codecs=opus', voice: true }],
    }),
  ],

  // ---- restfb/restfb ----
  'restfb-business-username-update.json': [
    notification(
      META_ACCOUNT,
      'whatsapp.business_username_update',
      { display_phone_number: '15550783881', username: 'acme_support', status: 'approved' },
      { occurredAt: iso(1749416383) },
    ),
  ],
  'restfb-contacts-request-bsuid.json': [
    // No `from` and no `from_user_id`: the only contact is the sender (BSUID only).
    inbound('wa:106540352242922:US.13491208655302741918', 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=', {
      occurredAt: iso(1749416383),
      type: 'contacts',
      contacts: [{ phones: [{ phone: '15551234567' }] }],
      customer: {
        id: 'US.13491208655302741918',
        userId: 'US.13491208655302741918',
        parentUserId: 'US.ENT.11815799212886844830',
        username: '@realsheenanelson',
        name: 'Sheena Nelson',
      },
    }),
  ],
  'restfb-group-participants-update.json': [
    [1751210000, { type: 'group_participants_remove', request_id: 'request-business-remove', initiated_by: 'business', removed_count: 1 }],
    [1751210050, { type: 'group_participants_remove', request_id: 'request-participant-remove', initiated_by: 'participant', removed_count: 1 }],
    [1751210100, { type: 'group_participants_add', reason: 'invite_link', added_count: 1 }],
    [1751210150, { type: 'group_join_request_created', join_request_id: 'join-request-1' }],
    [1751210200, { type: 'group_join_request_revoked', join_request_id: 'join-request-2' }],
  ].map(([time, details]) =>
    notification(
      'wa:106540352242922:g.120363418770915618@g.us',
      'whatsapp.group_participants_update',
      { group_id: '120363418770915618@g.us', ...(details as Expected) },
      { occurredAt: iso(time as number) },
    ),
  ),
  'restfb-interactive-button-reply.json': [
    inbound(R_KEY, R_MSG_ID, {
      occurredAt: iso(1653253313),
      type: 'choice',
      text: 'button-text',
      choice: { id: 'unique-button-identifier-here', title: 'button-text', source: 'button' },
      customer: TESTUSER,
    }),
  ],
  'restfb-interactive-list-reply.json': [
    inbound(R_KEY, R_MSG_ID, {
      type: 'choice',
      text: 'list_reply_title',
      choice: { id: 'list_reply_id', title: 'list_reply_title', description: 'list_reply_description', source: 'list' },
      customer: TESTUSER,
    }),
  ],
  'restfb-reaction-emoji.json': [
    inbound(R_KEY, R_MSG_ID, {
      type: 'reaction',
      reaction: { targetMessageId: 'wamid.xxxxxxxx', emoji: '👍🏻', action: 'react' },
      customer: TESTUSER,
    }),
  ],
  'restfb-referral-ctwa-ad.json': [
    inbound(R_KEY, R_MSG_ID, {
      type: 'text',
      text: 'Test',
      customer: TESTUSER,
      referral: { sourceType: 'ad', sourceId: 'ADID', adId: 'ADID', sourceUrl: 'AD_OR_POST_FB_URL', headline: 'AD_TITLE' },
    }),
  ],
  'restfb-status-delivered-bsuid.json': [
    status('wa:106540352242922:US.13491208655302741918', 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=', 'delivered', {
      occurredAt: iso(1750030073),
      customer: {
        id: 'US.13491208655302741918',
        userId: 'US.13491208655302741918',
        parentUserId: 'US.ENT.11815799212886844830',
        username: '@pablomorales',
        name: 'Pablo M.',
      },
      pricing: { billable: true, pricingModel: 'PMP', type: 'regular', category: 'marketing' },
    }),
  ],
  'restfb-status-failed-131026.json': [
    status('wa:REDACTED:REDACTED', 'wamid.HBgLMzI0NzY3NTUzNzYVAgARGBIzOTI2MzFGRjdBRjA4M0Y2RDQA', 'failed', {
      businessAccountId: '2432658263680361',
      occurredAt: iso(1698231447),
      customer: { id: 'REDACTED', waId: 'REDACTED' },
      errors: [
        {
          code: 131026,
          title: 'Receiver is incapable of receiving this message',
          message: 'Receiver is incapable of receiving this message',
          details: 'Message Undeliverable.',
        },
      ],
    }),
  ],
  'restfb-status-sent-user-initiated.json': [
    // Placeholder timestamps ("TIMESTAMP") degrade to the receive time; they do not quarantine.
    status('wa:10634295353625:PHONE_NUMBER', 'wamid.ID', 'sent', {
      occurredAt: RECEIVED_AT,
      customer: { id: 'PHONE_NUMBER', waId: 'PHONE_NUMBER' },
      pricing: { billable: true, pricingModel: 'CBP', category: 'user_initiated' },
      billingConversation: { id: 'CONVERSATION_ID', originType: 'user_initiated' },
    }),
  ],
  'restfb-system-user-changed-number.json': [
    inbound(R_KEY, R_MSG_ID, {
      type: 'system',
      system: {
        type: 'user_changed_number',
        body: 'NAME changed from PHONE_NUMBER to PHONE_NUMBER',
        newWaId: 'NEW_PHONE_NUMBER',
      },
      customer: TESTUSER,
    }),
  ],
  'restfb-template-status-disabling.json': [
    notification(
      'wa:whatsapp-business-account-id:_account',
      'whatsapp.message_template_status_update',
      {
        event: 'FLAGGED',
        message_template_id: '1234567',
        message_template_name: 'My message template',
        message_template_language: 'en-US',
        reason: null,
        disable_date: 'January 31, 2021',
      },
      { occurredAt: iso(1604703141) },
    ),
  ],
  'restfb-unknown-131051.json': [
    inbound(R_KEY, R_MSG_ID, {
      type: 'unsupported',
      customer: TESTUSER,
      errors: [{ code: 131051, title: 'Unsupported message type', details: 'Message type is not currently supported' }],
    }),
  ],
  'restfb-unsupported-131051-real.json': [
    // The capture's only contact has another wa_id than `from`; its name is not attached.
    inbound('wa:1111111111111111:333333333333', 'wamid.randomwhatsappmessageid', {
      businessAccountId: '555555555555555',
      occurredAt: iso(1701868892),
      type: 'unsupported',
      customer: { id: '333333333333', waId: '333333333333' },
      errors: [
        {
          code: 131051,
          title: 'Messagetypeunknown',
          message: 'Messagetypeunknown',
          details: 'Messagetypeiscurrentlynotsupported.',
        },
      ],
    }),
  ],
  'restfb-user-id-update.json': [
    notification(
      'wa:106540352242922:16505551234',
      'whatsapp.user_id_update',
      {
        previous_user_id: 'US.10101010101010101010',
        current_user_id: 'US.13491208655302741918',
        previous_parent_user_id: 'US.ENT.10101010101010101010',
        current_parent_user_id: 'US.ENT.11815799212886844830',
      },
      {
        occurredAt: iso(1749416383),
        customer: {
          id: '16505551234',
          waId: '16505551234',
          userId: 'US.13491208655302741918',
          parentUserId: 'US.ENT.11815799212886844830',
          name: 'Sheena Nelson',
        },
      },
    ),
  ],

  // ---- whatsapp-js (v25 user-id fields) ----
  'wajs-v25-incoming-text.json': [
    inbound(W_KEY, 'ABGGFlA5Fpa', {
      accountId: '123456123',
      businessAccountId: '1',
      occurredAt: iso(1504902988),
      type: 'text',
      text: 'this is a text message',
      customer: WAJS,
    }),
  ],
  'wajs-v25-status-delivered.json': [
    status(W_KEY, 'ABGGFlA5Fpa', 'delivered', {
      occurredAt: iso(1504902988),
      customer: WAJS,
      billingConversation: { id: 'CONVERSATION_ID', originType: 'marketing', expiresAt: iso(1504903988) },
    }),
  ],
  'wajs-v25-status-read.json': [status(W_KEY, 'ABGGFlA5Fpa', 'read', { occurredAt: iso(1504902988), customer: WAJS })],
  'wajs-v25-status-sent.json': [
    status(W_KEY, 'ABGGFlA5Fpa', 'sent', {
      occurredAt: iso(1504902988),
      customer: {
        id: '16315551181',
        waId: '16315551181',
        userId: 'US.13491208655302741918',
        parentUserId: 'US.11815799212886844830',
        name: 'test user name',
      },
      pricing: { billable: true, pricingModel: 'PMP', type: 'regular', category: 'marketing' },
      billingConversation: { id: 'CONVERSATION_ID', originType: 'marketing', expiresAt: iso(1504903988) },
    }),
  ],

  // ---- captures and examples from web pages ----
  'web-cronwallet-status-delivered-service-real.json': [
    status('wa:590968830767958:5516992318222', 'wamid.HBgNNTUxNjk5MjMxODIyMhUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA=', 'delivered', {
      businessAccountId: '1314702302917944',
      occurredAt: iso(1750857384),
      customer: { id: '5516992318222', waId: '5516992318222' },
      pricing: { billable: true, pricingModel: 'CBP', category: 'service' },
      billingConversation: { id: 'a75d17ad06104c51166f948319b03c6a', originType: 'service' },
    }),
  ],
  'web-cronwallet-status-sent-service-real.json': [
    status('wa:590968830767958:5516992318222', 'wamid.HBgNNTUxNjk5MjMxODIyMhUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA=', 'sent', {
      occurredAt: iso(1750857384),
      customer: { id: '5516992318222', waId: '5516992318222' },
      pricing: { billable: true, pricingModel: 'CBP', category: 'service' },
      billingConversation: { id: 'a75d17ad06104c51166f948319b03c6a', originType: 'service', expiresAt: iso(1750943820) },
    }),
  ],
  'web-meta-dashboard-test-text.json': [
    inbound(W_KEY, 'ABGGFlA5Fpa', {
      businessAccountId: '0',
      occurredAt: iso(1504902988),
      type: 'text',
      text: 'this is a text message',
      customer: { id: '16315551181', waId: '16315551181', name: 'test user name' },
    }),
  ],
  'web-playnow-status-sent-utility-real.json': [
    status('wa:114896151713920:60173526233', 'wamid.HBgLNjAxNzM1MjYyMzMVAgARGBJCNkY5NTBENEU3ODYxQTM3RUQA', 'sent', {
      businessAccountId: '122951744235903',
      occurredAt: iso(1694492482),
      customer: { id: '60173526233', waId: '60173526233' },
      pricing: { billable: true, pricingModel: 'CBP', category: 'utility' },
      billingConversation: { id: 'f5fdae3920125a39a1e6a23e5f877c16', originType: 'utility', expiresAt: iso(1694505360) },
    }),
  ],
  'web-playnow-text-real.json': [
    inbound('wa:114896151713920:60173526233', 'wamid.HBgLNjAxNzM1MjYyMzMVAgASGBQzQUI0NkE4NjM1QTU2NjVGOURGQgA=', {
      occurredAt: iso(1694427240),
      type: 'text',
      text: 'Hihu',
      customer: { id: '60173526233', waId: '60173526233', name: 'Lee Jen Ling' },
    }),
  ],
};

/** Customer names and numbers in a payload, which must never reach notification details. */
function personalValues(node: unknown, parentKey = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) personalValues(item, parentKey, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      const personal =
        ['name', 'full_name', 'first_name', 'last_name', 'formatted_name', 'wa_id'].includes(key) || (parentKey === 'contact' && key === 'phone_number');
      if (personal && (typeof value === 'string' || typeof value === 'number')) out.add(String(value));
      else personalValues(value, key, out);
    }
  }
  return out;
}

describe('WhatsApp conformance corpus', () => {
  const files = readdirSync(join(CONFORMANCE_DIR, FOLDER)).sort();

  it('has an expected outcome for every file in the corpus, and no stale entries', () => {
    expect(files.length).toBeGreaterThanOrEqual(106);
    expect(files.filter((f) => !(f in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((f) => !files.includes(f))).toEqual([]);
  });

  describe.each(files)('%s', (file) => {
    it('splits and normalizes to the expected events', () => {
      const expected = EXPECTED[file];
      if (!expected) throw new Error(`no expected outcome written for ${file}`);
      const raw = readConformance(FOLDER, file);
      const ingress = splitWebhookBody(raw, { receivedAt: RECEIVED_AT });
      const normalized: NormalizedEvent[] = ingress.map(normalizeIngressEvent);

      expect(normalized.map((n) => n.kind)).toEqual(expected.map((e) => e.kind));
      const personal = personalValues(JSON.parse(raw));
      ingress.forEach((event, i) => {
        const want = expected[i] as Expected;
        const got = normalized[i] as NormalizedEvent;
        expect(event).toMatchObject({ v: 1, kind: 'whatsapp.change', channel: 'whatsapp', object: 'whatsapp_business_account' });
        expect(got).toMatchObject(want);
        if (got.kind === 'quarantine') return;
        // What the queue ordered and deduplicated by is what the canonical event says.
        expect(got.eventId).toBe(event.eventId);
        expect(got.conversationKey).toBe(event.conversationKey);
        if ('customer' in want) expect((got as { customer?: unknown }).customer).toEqual(want.customer);
        if (got.kind === 'notification') {
          expect(got.details).toEqual(want.details);
          for (const v of Object.values(got.details)) expect(v === null || typeof v !== 'object').toBe(true);
          const shown = JSON.stringify(got.details);
          for (const p of personal) expect(shown.includes(p), `details of ${file} leak a customer value`).toBe(false);
        }
      });
    });
  });
});
