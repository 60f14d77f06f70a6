import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraphRequest, buildMarkReadRequest, type GraphConfig } from '#lambdas/outbound/build-graph-request';
import { outboundMessageSchema, type OutboundMessage } from '#lambdas/outbound/outbound-message';
import { loadSendBodyValidator, type SendBodyValidator } from '#lib/local-cloud/graph-simulator/send-body-validator';
import { GRAPH_API_OPENAPI_SPEC_FILE, GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';

const SPEC = fileURLToPath(new URL(`../../../../shared/meta-openapi/${GRAPH_API_OPENAPI_SPEC_FILE}`, import.meta.url));
const CONFIG: GraphConfig = { baseUrl: 'https://graph.facebook.com', version: GRAPH_API_VERSION };

let validator: SendBodyValidator;
beforeAll(async () => {
  validator = await loadSendBodyValidator(SPEC);
});

/** Goes through the item schema first, as the sender does, so an item the sender would refuse fails here too. */
function message(fields: Record<string, unknown>): OutboundMessage {
  return outboundMessageSchema.parse({
    sk: 'MSG#out_1',
    messageId: 'out_1',
    conversationKey: 'wa:100:5511999',
    channel: 'whatsapp',
    accountId: '100',
    recipientId: '5511999',
    direction: 'outbound',
    status: 'pending',
    ...fields,
  });
}

const whatsappBody = (fields: Record<string, unknown>) => buildGraphRequest(message(fields), CONFIG).body as Record<string, unknown>;
// Every WhatsApp send carries our id, which Meta returns in the message's status webhooks.
const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511999', biz_opaque_callback_data: 'out_1' };

describe("WhatsApp message kinds against Meta's OpenAPI Message schema", () => {
  it.each([
    ['image', { id: 'MEDIA_1' }, 'A photo', { id: 'MEDIA_1', caption: 'A photo' }],
    ['image', { link: 'https://example.com/a.jpg' }, undefined, { link: 'https://example.com/a.jpg' }],
    ['video', { link: 'https://example.com/a.mp4' }, 'Clip', { link: 'https://example.com/a.mp4', caption: 'Clip' }],
    ['audio', { id: 'MEDIA_2' }, 'ignored: audio has no caption', { id: 'MEDIA_2' }],
    ['sticker', { id: 'MEDIA_3' }, undefined, { id: 'MEDIA_3' }],
    [
      'document',
      { link: 'https://example.com/invoice.pdf', filename: 'invoice.pdf' },
      'Your invoice',
      { link: 'https://example.com/invoice.pdf', caption: 'Your invoice', filename: 'invoice.pdf' },
    ],
  ])('%s by %o', (type, media, text, expected) => {
    const body = whatsappBody({ type, media, ...(text ? { text } : {}) });
    expect(body).toEqual({ ...base, type, [type]: expected });
    expect(validator.validate(body)).toBeUndefined();
  });

  it('template with header, body variables and a button parameter', () => {
    const components = [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/banner.png' } }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Ana' },
          { type: 'text', text: 'ORD-42' },
        ],
      },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'ORD-42' }] },
    ];
    const body = whatsappBody({ type: 'template', template: { name: 'order_shipped', language: 'pt_BR', category: 'utility', components } });
    expect(body).toEqual({ ...base, type: 'template', template: { name: 'order_shipped', language: { code: 'pt_BR' }, components } });
    expect(validator.validate(body)).toBeUndefined();
  });

  it('template without variables', () => {
    const body = whatsappBody({ type: 'template', template: { name: 'hello_world', language: 'en_US', category: 'marketing' } });
    expect(body).toEqual({ ...base, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
    expect(validator.validate(body)).toBeUndefined();
  });

  it("reaction to the customer's message", () => {
    const body = whatsappBody({ type: 'reaction', reaction: { messageId: 'wamid.IN1', emoji: '👍' } });
    expect(body).toEqual({ ...base, type: 'reaction', reaction: { message_id: 'wamid.IN1', emoji: '👍' } });
    expect(validator.validate(body)).toBeUndefined();
  });

  it('location', () => {
    const location = { latitude: -23.56, longitude: -46.64, name: 'Store', address: 'Av. Paulista 1000' };
    const body = whatsappBody({ type: 'location', location });
    expect(body).toEqual({ ...base, type: 'location', location });
    expect(validator.validate(body)).toBeUndefined();
  });

  it('contacts', () => {
    const contacts = [{ name: { formatted_name: 'Support Desk', first_name: 'Support' }, phones: [{ phone: '+15550001111', type: 'WORK' }] }];
    const body = whatsappBody({ type: 'contacts', contacts });
    expect(body).toEqual({ ...base, type: 'contacts', contacts });
    expect(validator.validate(body)).toBeUndefined();
  });

  it('mark as read with a typing indicator for the message being answered', () => {
    const request = buildMarkReadRequest(message({ type: 'text', text: 'On it', markReadMessageId: 'wamid.IN1' }), CONFIG);
    expect(request).toEqual({
      url: `https://graph.facebook.com/${GRAPH_API_VERSION}/100/messages`,
      body: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN1', typing_indicator: { type: 'text' } },
    });
    expect(buildMarkReadRequest(message({ type: 'text', text: 'On it' }), CONFIG)).toBeUndefined();
  });

  it('the schema check can fail: a media body without id or link is refused', () => {
    expect(validator.validate({ ...base, type: 'image', image: { caption: 'x' } })).toBeDefined();
  });
});

describe('items the sender refuses to build', () => {
  it.each([
    ['media without id or link', { type: 'image', media: {} }],
    ['media with both id and link', { type: 'image', media: { id: 'M', link: 'https://example.com/x.png' } }],
    ['a template without its template', { type: 'template' }],
    ['a template on Instagram', { type: 'template', channel: 'instagram', template: { name: 't', language: 'en', category: 'utility' } }],
    ['text without text', { type: 'text' }],
    ['a reaction on Messenger', { type: 'reaction', channel: 'messenger', reaction: { messageId: 'm', emoji: '👍' } }],
  ])('%s', (_, fields) => {
    expect(() => message(fields)).toThrow();
  });
});

describe('Instagram and Messenger attachments and quick replies', () => {
  it('sends media by link as a reusable attachment, documents as files', () => {
    const ig = buildGraphRequest(
      message({ channel: 'instagram', accountId: '1784', recipientId: 'IGSID', type: 'image', media: { link: 'https://example.com/a.jpg' } }),
      CONFIG,
    );
    expect(ig.body).toEqual({
      recipient: { id: 'IGSID' },
      message: { attachment: { type: 'image', payload: { url: 'https://example.com/a.jpg', is_reusable: true } } },
    });
    const fb = buildGraphRequest(message({ channel: 'messenger', accountId: 'PAGE', recipientId: 'PSID', type: 'document', media: { id: 'ATT_9' } }), CONFIG);
    expect(fb.body).toEqual({
      recipient: { id: 'PSID' },
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'file', payload: { attachment_id: 'ATT_9' } } },
    });
  });

  it('offers quick replies under an attachment and under interactive text', () => {
    const replyOptions = [
      { id: 'yes', title: 'Yes' },
      { id: 'no', title: 'No' },
    ];
    const withImage = buildGraphRequest(
      message({ channel: 'messenger', accountId: 'PAGE', recipientId: 'PSID', type: 'image', media: { id: 'A1' }, replyOptions }),
      CONFIG,
    );
    expect((withImage.body as { message: Record<string, unknown> }).message.quick_replies).toEqual([
      { content_type: 'text', title: 'Yes', payload: 'yes' },
      { content_type: 'text', title: 'No', payload: 'no' },
    ]);
  });

  it('tags a human agent reply past 24 hours on both channels', () => {
    const human = { humanAgentTag: true };
    const ig = buildGraphRequest(message({ channel: 'instagram', accountId: '1784', recipientId: 'IGSID', type: 'text', text: 'Hi' }), CONFIG, human);
    expect(ig.body).toEqual({ recipient: { id: 'IGSID' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Hi' } });
    const fb = buildGraphRequest(message({ channel: 'messenger', accountId: 'PAGE', recipientId: 'PSID', type: 'text', text: 'Hi' }), CONFIG, human);
    expect(fb.body).toEqual({ recipient: { id: 'PSID' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Hi' } });
  });
});
