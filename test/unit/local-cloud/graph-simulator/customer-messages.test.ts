import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LOCAL_CUSTOMER_IDS,
  LOCAL_FACEBOOK_PAGE_ID,
  LOCAL_INSTAGRAM_ACCOUNT_ID,
  startGraphSimulator,
  type GraphSimulator,
} from '#lib/local-cloud/graph-simulator/index';
import { readConformanceJson } from '#test/helpers/conformance';
import { APP_SECRET, CUSTOMER_WA_ID, customerSays, FAST_STATUSES, graphPost, shapeOf, WA_PATH, withoutKeys, jsonOf } from './sim-test-kit';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** Fields newer fixtures carry (business-scoped user ids, usernames) that the simulator omits. */
const USER_ID_FIELDS = ['user_id', 'parent_user_id', 'from_user_id', 'from_parent_user_id', 'username'];

const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER_WA_ID };

describe('Graph simulator: playing the customer', () => {
  let receiver: WebhookReceiver;
  let sim: GraphSimulator;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(APP_SECRET);
    sim = await startGraphSimulator({ port: 0, webhookUrl: receiver.url, appSecret: APP_SECRET, statusDelaysMs: FAST_STATUSES });
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });
  // Let every status chain finish, so no webhook of one test lands in the next.
  afterEach(() => sim.whenIdle());
  beforeEach(() => {
    sim.reset();
    receiver.clear();
  });

  /** Sends as the customer and returns the one signed webhook the endpoint received for it. */
  async function customerWebhook(body: Record<string, unknown>) {
    receiver.clear();
    const { status, json } = await customerSays(sim, body);
    expect(status).toBe(200);
    expect(json.webhookStatus).toBe(200);
    // Receipts for the business's own messages may arrive meanwhile: find the one with this id.
    const ours = receiver.received.filter((w) => w.raw.includes(JSON.stringify(json.id)));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.signatureValid).toBe(true);
    return { id: json.id as string, body: ours[0]?.body };
  }

  it('posts a WhatsApp text message shaped like a real one', async () => {
    const { id, body } = await customerWebhook({ channel: 'whatsapp', name: 'Ana Lima', text: 'Where is my order?' });

    const value = body.entry[0].changes[0].value;
    expect(value.contacts).toEqual([{ profile: { name: 'Ana Lima' }, wa_id: CUSTOMER_WA_ID }]);
    expect(value.messages[0]).toMatchObject({ from: CUSTOMER_WA_ID, id, type: 'text', text: { body: 'Where is my order?' } });
    expect(value.messages[0].timestamp).toMatch(/^\d{10}$/);
    expect(shapeOf(body)).toEqual(shapeOf(readConformanceJson('whatsapp', 'web-playnow-text-real.json')));
  });

  it('turns a tap on a reply button into an interactive button_reply with context', async () => {
    const sent = await graphPost(sim, WA_PATH, {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Pick one' },
        action: { buttons: [{ type: 'reply', reply: { id: 'track', title: 'Track order' } }] },
      },
    });
    const { body } = await customerWebhook({ channel: 'whatsapp', reply: { id: 'track', title: 'Track order' } });

    const message = body.entry[0].changes[0].value.messages[0];
    expect(message.interactive).toEqual({ type: 'button_reply', button_reply: { id: 'track', title: 'Track order' } });
    expect(message.context).toEqual({ from: '15550000001', id: sent.json.messages[0].id });
    const real = withoutKeys(readConformanceJson('whatsapp', 'pywa-interactive-button-reply.json'), USER_ID_FIELDS);
    expect(shapeOf(body)).toEqual(shapeOf(real));
  });

  it('turns a tap on a list row into a list_reply with its description', async () => {
    await graphPost(sim, WA_PATH, {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Delivery options' },
        action: {
          button: 'Choose',
          sections: [{ title: 'Speed', rows: [{ id: 'express', title: 'Express', description: 'Next day' }] }],
        },
      },
    });
    const { body } = await customerWebhook({ channel: 'whatsapp', reply: { id: 'express', title: 'Express' } });

    expect(body.entry[0].changes[0].value.messages[0].interactive).toEqual({
      type: 'list_reply',
      list_reply: { id: 'express', title: 'Express', description: 'Next day' },
    });
    expect(shapeOf(body)).toEqual(shapeOf(readConformanceJson('whatsapp', 'metadoc-interactive-list-reply.json')));
  });

  it('turns a tap on a template quick-reply button into a button message', async () => {
    await graphPost(sim, WA_PATH, {
      ...base,
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en' },
        components: [{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] }],
      },
    });
    const { body } = await customerWebhook({ channel: 'whatsapp', reply: { id: 'STOP', title: 'Stop promotions' } });

    const message = body.entry[0].changes[0].value.messages[0];
    expect(message).toMatchObject({ type: 'button', button: { payload: 'STOP', text: 'Stop promotions' } });
    const real = withoutKeys(readConformanceJson('whatsapp', 'pywa-button-template-quick-reply.json'), USER_ID_FIELDS);
    expect(shapeOf(body)).toEqual(shapeOf(real));
  });

  it('sends a WhatsApp image whose media id the Graph API can then serve', async () => {
    const bytes = Buffer.from('fake-jpeg-bytes');
    const { body } = await customerWebhook({
      channel: 'whatsapp',
      media: { mimeType: 'image/jpeg', base64: bytes.toString('base64') },
    });

    const image = body.entry[0].changes[0].value.messages[0].image;
    expect(shapeOf(body)).toEqual(shapeOf(readConformanceJson('whatsapp', 'bindambc-image.json')));
    const lookup = await fetch(`${sim.url}/v23.0/${image.id}`, { headers: { authorization: 'Bearer t' } });
    const media = await jsonOf(lookup);
    const download = await fetch(media.url, { headers: { authorization: 'Bearer t' } });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    expect(Buffer.from(image.sha256, 'base64').toString('hex')).toBe(media.sha256);
  });

  it('posts a Messenger text message shaped like a real one', async () => {
    const { id, body } = await customerWebhook({ channel: 'messenger', text: 'Hello page' });

    expect(body.object).toBe('page');
    expect(body.entry[0].messaging[0]).toMatchObject({
      sender: { id: LOCAL_CUSTOMER_IDS.messenger },
      recipient: { id: LOCAL_FACEBOOK_PAGE_ID },
      message: { mid: id, text: 'Hello page' },
    });
    expect(shapeOf(body)).toEqual(shapeOf(readConformanceJson('messenger', 'messenger4j-text.json')));
  });

  it('turns a tap on a Messenger quick reply into a message with quick_reply payload', async () => {
    await graphPost(sim, `/v23.0/${LOCAL_FACEBOOK_PAGE_ID}/messages`, {
      recipient: { id: LOCAL_CUSTOMER_IDS.messenger },
      message: { text: 'Rate us', quick_replies: [{ content_type: 'text', title: 'Great', payload: 'CSAT_5' }] },
    });
    const { body } = await customerWebhook({ channel: 'messenger', reply: { id: 'CSAT_5', title: 'Great' } });

    expect(body.entry[0].messaging[0].message).toMatchObject({ text: 'Great', quick_reply: { payload: 'CSAT_5' } });
    const real = withoutKeys(readConformanceJson('messenger', 'messenger4j-quick-reply.json'), ['prior_message']);
    expect(shapeOf(body)).toEqual(shapeOf(real));
  });

  it('turns a tap on a Messenger postback button into a postback', async () => {
    await graphPost(sim, `/v23.0/${LOCAL_FACEBOOK_PAGE_ID}/messages`, {
      recipient: { id: LOCAL_CUSTOMER_IDS.messenger },
      message: {
        attachment: {
          type: 'template',
          payload: { template_type: 'button', text: 'Need help?', buttons: [{ type: 'postback', title: 'Agent', payload: 'HANDOFF' }] },
        },
      },
    });
    const { body } = await customerWebhook({ channel: 'messenger', reply: { id: 'HANDOFF' } });

    expect(body.entry[0].messaging[0].postback).toEqual({ mid: expect.any(String), title: 'Agent', payload: 'HANDOFF' });
  });

  it('posts an Instagram text message and quick reply shaped like real ones', async () => {
    const text = await customerWebhook({ channel: 'instagram', text: 'Do you ship abroad?' });
    await graphPost(sim, `/v23.0/${LOCAL_INSTAGRAM_ACCOUNT_ID}/messages`, {
      recipient: { id: LOCAL_CUSTOMER_IDS.instagram },
      message: { text: 'Where to?', quick_replies: [{ content_type: 'text', title: 'Europe', payload: 'EU' }] },
    });
    const reply = await customerWebhook({ channel: 'instagram', reply: { id: 'EU', title: 'Europe' } });

    expect(text.body.object).toBe('instagram');
    expect(text.body.entry[0].messaging[0]).toMatchObject({
      sender: { id: LOCAL_CUSTOMER_IDS.instagram },
      recipient: { id: LOCAL_INSTAGRAM_ACCOUNT_ID },
      message: { mid: text.id, text: 'Do you ship abroad?' },
    });
    // The Instagram fixture of a plain text lacks `object` and uses ISO times; compare the entry only.
    const realEntry = readConformanceJson('instagram', 'chatwoot-text.json').entry[0];
    expect(shapeOf(withoutKeys(text.body.entry[0], ['time', 'timestamp']))).toEqual(shapeOf(withoutKeys(realEntry, ['time', 'timestamp'])));
    expect(reply.body.entry[0].messaging[0].message).toMatchObject({ text: 'Europe', quick_reply: { payload: 'EU' } });
  });

  it('sends an Instagram image as an attachment with a URL the simulator serves', async () => {
    const { body } = await customerWebhook({
      channel: 'instagram',
      media: { mimeType: 'image/png', base64: Buffer.from('png').toString('base64') },
    });

    expect(shapeOf(body)).toEqual(shapeOf(readConformanceJson('instagram', 'courier-attachment-image.json')));
    const url = body.entry[0].messaging[0].message.attachments[0].payload.url;
    const download = await fetch(url);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(await download.text()).toBe('png');
  });

  it('uses the account and customer given instead of the local defaults', async () => {
    const { body } = await customerWebhook({ channel: 'messenger', customerId: '7100000000000042', text: 'hi' });
    expect(body.entry[0].messaging[0].sender.id).toBe('7100000000000042');
  });

  it.each([
    ['an unknown channel', { channel: 'sms', text: 'x' }, /channel/],
    ['no content', { channel: 'whatsapp' }, /exactly one of text, reply or media/],
    ['text and reply together', { channel: 'whatsapp', text: 'x', reply: { id: 'a' } }, /exactly one/],
    ['a reply without id', { channel: 'whatsapp', reply: { title: 'A' } }, /reply must be/],
    ['an unknown WhatsApp number', { channel: 'whatsapp', accountId: '1', text: 'x' }, /unknown WhatsApp phone number id/],
  ])('refuses a customer message with %s', async (_case, body, message) => {
    const { status, json } = await customerSays(sim, body);
    expect(status).toBe(400);
    expect(json.error.message).toMatch(message);
    expect(receiver.received).toHaveLength(0);
  });

  it('says when the webhook endpoint cannot be reached', async () => {
    const unreachable = await startGraphSimulator({
      port: 0,
      webhookUrl: 'http://127.0.0.1:9/webhook',
      appSecret: APP_SECRET,
      webhookAttempts: 1,
    });
    try {
      const { status, json } = await customerSays(unreachable, { channel: 'whatsapp', text: 'hello?' });
      expect(status).toBe(200);
      expect(json.webhookStatus).toBeNull();
      expect(json.webhookError).toEqual(expect.any(String));
    } finally {
      await unreachable.close();
    }
  });
});
