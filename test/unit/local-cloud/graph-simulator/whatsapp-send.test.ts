import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { readConformanceJson } from '#test/helpers/conformance';
import { APP_SECRET, CUSTOMER_WA_ID, customerSays, FAST_STATUSES, graphPost, ManualClock, shapeOf, TOKEN, WA_PATH, waText, withoutKeys } from './sim-test-kit';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER_WA_ID };
const HOUR = 60 * 60 * 1000;

describe('Graph simulator: WhatsApp Cloud API sends', () => {
  let receiver: WebhookReceiver;
  let sim: GraphSimulator;
  const clock = new ManualClock();

  beforeAll(async () => {
    receiver = await startWebhookReceiver(APP_SECRET);
    sim = await startGraphSimulator({
      port: 0,
      webhookUrl: receiver.url,
      appSecret: APP_SECRET,
      statusDelaysMs: FAST_STATUSES,
      accessTokens: [TOKEN],
      clock: clock.now,
      templateCategories: { order_update: 'utility', spring_sale: 'marketing' },
    });
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

  const validBodies: Record<string, unknown> = {
    text: waText('Hello from the business'),
    interactive: {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'How can we help?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'orders', title: 'My order' } },
            { type: 'reply', reply: { id: 'human', title: 'Talk to a person' } },
          ],
        },
      },
    },
    template: {
      ...base,
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'A-1001' }] }],
      },
    },
    image: { ...base, type: 'image', image: { link: 'https://example.com/receipt.png', caption: 'Your receipt' } },
  };

  it.each(Object.entries(validBodies))('accepts a valid %s message and echoes it in the outbox', async (_kind, body) => {
    const { status, json } = await graphPost(sim, WA_PATH, body);

    expect(status).toBe(200);
    expect(json).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: CUSTOMER_WA_ID, wa_id: CUSTOMER_WA_ID }] });
    expect(json.messages[0].id).toMatch(/^wamid\./);
    const [entry] = sim.outbox();
    expect(entry).toMatchObject({ method: 'POST', path: WA_PATH, body, response: json, status: 200 });
    expect(entry?.messageId).toBe(json.messages[0].id);
    // The response has the shape of a real send response.
    const real = readConformanceJson('graph-api', 'metadoc-send-text-response.json');
    expect(shapeOf(withoutKeys(json, ['message_status']))).toEqual(shapeOf(real));
  });

  it('gives every accepted message its own id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 4; i += 1) ids.add((await graphPost(sim, WA_PATH, waText(`n${i}`))).json.messages[0].id);
    expect(ids.size).toBe(4);
  });

  it('reports template sends as accepted, like Meta', async () => {
    const { json } = await graphPost(sim, WA_PATH, validBodies.template);
    expect(json.messages[0].message_status).toBe('accepted');
  });

  const invalidBodies: [string, unknown, number, RegExp][] = [
    [
      'a missing recipient',
      { messaging_product: 'whatsapp', recipient_type: 'individual', type: 'text', text: { body: 'x' } },
      100,
      /parameter to is required/,
    ],
    ['an unknown key', { ...base, type: 'text', text: { body: 'x', colour: 'red' } }, 100, /Unexpected key "colour" on param "text"/],
    ['an unknown message type', { ...base, type: 'hologram' }, 100, /Param type must be one of \{.*text.*\} - got "hologram"/],
    [
      'a button title over 20 characters',
      {
        ...base,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Pick' },
          action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'A title far too long for a button' } }] },
        },
      },
      131009,
      /interactive\['action'\]\['buttons'\]\[0\]\['reply'\]\['title'\] must NOT have more than 20 characters/,
    ],
    [
      'four reply buttons',
      {
        ...base,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Pick' },
          action: { buttons: [1, 2, 3, 4].map((n) => ({ type: 'reply', reply: { id: `b${n}`, title: `B${n}` } })) },
        },
      },
      131009,
      /must NOT have more than 3 items/,
    ],
    [
      'duplicate button ids',
      {
        ...base,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Pick' },
          action: { buttons: ['A', 'B'].map((title) => ({ type: 'reply', reply: { id: 'same', title } })) },
        },
      },
      131009,
      /Duplicate button id/,
    ],
    ['a template without language', { ...base, type: 'template', template: { name: 'order_update' } }, 100, /template\['language'\] is required/],
    ['an image with neither id nor link', { ...base, type: 'image', image: { caption: 'c' } }, 100, /image must include one of: id, link/],
    ['a text without body', { ...base, type: 'text', text: {} }, 100, /text\['body'\] is required/],
  ];

  it.each(invalidBodies)("refuses %s with Meta's error shape", async (_case, body, code, details) => {
    const { status, json } = await graphPost(sim, WA_PATH, body);

    expect(status).toBe(400);
    expect(json.error.code).toBe(code);
    expect(json.error.type).toBe('OAuthException');
    expect(json.error.message).toMatch(new RegExp(`^\\(#${code}\\) `));
    expect(json.error.error_data).toEqual({ messaging_product: 'whatsapp', details: expect.stringMatching(details) });
    expect(json.error.fbtrace_id).toMatch(/^A[\w-]{22}$/);
    // Same shape as a real 131009 error body.
    expect(shapeOf(json)).toEqual(shapeOf(readConformanceJson('graph-api', 'restfb-error-131009-wa-parameter-invalid.json')));
    expect(sim.outbox()).toEqual([expect.objectContaining({ status: 400, body, response: json })]);
  });

  it('refuses a request without a token with error 190 and HTTP 401', async () => {
    const { status, json } = await graphPost(sim, WA_PATH, waText('hi'), null);

    expect(status).toBe(401);
    expect(json.error).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(shapeOf(json)).toEqual(shapeOf(readConformanceJson('graph-api', 'messenger4j-error-190-invalid-token.json')));
    expect(sim.outbox()[0]).toMatchObject({ status: 401, response: json });
  });

  it('refuses a token it was not given with error 190', async () => {
    const { status, json } = await graphPost(sim, WA_PATH, waText('hi'), 'someone-elses-token');
    expect(status).toBe(401);
    expect(json.error.code).toBe(190);
  });

  it('accepts the token as an access_token query parameter too', async () => {
    const response = await fetch(`${sim.url}${WA_PATH}?access_token=${TOKEN}`, {
      method: 'POST',
      body: JSON.stringify(waText('hi')),
    });
    expect(response.status).toBe(200);
  });

  it('answers an unknown phone number id like the Graph API answers an unknown object', async () => {
    const { status, json } = await graphPost(sim, '/v23.0/999999999999999/messages', waText('hi'));
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
  });

  it('marks a message as read, with or without a typing indicator, and sends no webhook for it', async () => {
    const plain = await graphPost(sim, WA_PATH, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.ABC' });
    const typing = await graphPost(sim, WA_PATH, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.ABC',
      typing_indicator: { type: 'text' },
    });
    const broken = await graphPost(sim, WA_PATH, { messaging_product: 'whatsapp', status: 'read' });

    expect(plain).toEqual({ status: 200, json: { success: true } });
    expect(typing).toEqual({ status: 200, json: { success: true } });
    expect(broken.status).toBe(400);
    expect(broken.json.error.message).toContain('message_id');
    await sim.whenIdle();
    expect(receiver.received).toHaveLength(0);
  });

  it('posts signed sent, delivered and read statuses, in that order, with PMP pricing', async () => {
    await customerSays(sim, { channel: 'whatsapp', text: 'Where is my order?' });
    const { json } = await graphPost(sim, WA_PATH, waText('It ships today'));
    const wamid = json.messages[0].id;

    const webhooks = await receiver.waitFor(4);
    await sim.whenIdle();

    expect(receiver.received).toHaveLength(4);
    expect(webhooks.every((w) => w.signatureValid)).toBe(true);
    const statuses = webhooks.slice(1).map((w) => w.body.entry[0].changes[0].value.statuses[0]);
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(statuses.every((s) => s.id === wamid && s.recipient_id === CUSTOMER_WA_ID)).toBe(true);
    expect(statuses[0].pricing).toEqual({
      billable: false,
      pricing_model: 'PMP',
      type: 'free_customer_service',
      category: 'service',
    });
    expect(statuses[0].conversation).toMatchObject({ origin: { type: 'service' } });
    expect(statuses[1].conversation.id).toBe(statuses[0].conversation.id);
    expect(webhooks[1]?.body.entry[0].id).toBe('200000000000001');
    expect(webhooks[1]?.body.entry[0].changes[0].value.metadata).toEqual({
      display_phone_number: '15550000001',
      phone_number_id: '100000000000001',
    });
    // Same structure as Meta's own status examples.
    const realSent = withoutKeys(readConformanceJson('whatsapp', 'wajs-v25-status-sent.json'), ['contacts', 'recipient_user_id', 'parent_recipient_user_id']);
    const realRead = withoutKeys(readConformanceJson('whatsapp', 'wajs-v25-status-read.json'), ['contacts', 'recipient_user_id', 'parent_recipient_user_id']);
    expect(shapeOf(webhooks[1]?.body)).toEqual(shapeOf(realSent));
    expect(shapeOf(webhooks[3]?.body)).toEqual(shapeOf(realRead));
  });

  it('bills marketing templates and echoes biz_opaque_callback_data in statuses', async () => {
    await graphPost(sim, WA_PATH, {
      ...base,
      biz_opaque_callback_data: 'campaign-42',
      type: 'template',
      template: { name: 'spring_sale', language: { code: 'en' } },
    });
    const [sent] = await receiver.waitFor(1);
    const status = sent?.body.entry[0].changes[0].value.statuses[0];
    expect(status.pricing).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' });
    expect(status.conversation.origin.type).toBe('marketing');
    expect(status.biz_opaque_callback_data).toBe('campaign-42');
  });

  it('accepts a free-form message after the 24-hour window, then reports it failed with 131047', async () => {
    await customerSays(sim, { channel: 'whatsapp', text: 'Hi' });
    clock.advance(25 * HOUR);

    const { status, json } = await graphPost(sim, WA_PATH, waText('Sorry for the delay'));
    const webhooks = await receiver.waitFor(2);
    await sim.whenIdle();

    expect(status).toBe(200);
    expect(receiver.received).toHaveLength(2);
    const failed = webhooks[1]?.body.entry[0].changes[0].value.statuses[0];
    expect(failed).toMatchObject({ id: json.messages[0].id, status: 'failed', recipient_id: CUSTOMER_WA_ID });
    expect(failed.errors).toEqual([expect.objectContaining({ code: 131047, title: 'Re-engagement message' })]);
    expect(shapeOf(webhooks[1]?.body)).toEqual(shapeOf(readConformanceJson('whatsapp', 'bindambc-status-failed-131047.json')));
  });

  it('still delivers a template after the window has closed, billed as utility outside the window', async () => {
    await customerSays(sim, { channel: 'whatsapp', text: 'Hi' });
    clock.advance(25 * HOUR);

    await graphPost(sim, WA_PATH, validBodies.template);
    const webhooks = await receiver.waitFor(4);

    const statuses = webhooks.slice(1).map((w) => w.body.entry[0].changes[0].value.statuses[0]);
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(statuses[0].pricing).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' });
  });

  it('treats a customer it never saw as inside the window', async () => {
    await graphPost(sim, WA_PATH, waText('Hello stranger', '15550009999'));
    const [sent] = await receiver.waitFor(1);
    expect(sent?.body.entry[0].changes[0].value.statuses[0].status).toBe('sent');
  });

  it('retries a webhook the endpoint refused and reports the final status', async () => {
    receiver.respondWith = 500;
    try {
      const { json } = await customerSays(sim, { channel: 'whatsapp', text: 'Anyone there?' });
      expect(json.webhookStatus).toBe(500);
      expect(receiver.received).toHaveLength(3);
      expect(new Set(receiver.received.map((w) => w.raw)).size).toBe(1);
    } finally {
      receiver.respondWith = 200;
    }
  });
});

describe('Graph simulator: status options', () => {
  it('sends no read status when read receipts are off, and no webhooks without a webhook URL', async () => {
    const receiver = await startWebhookReceiver(APP_SECRET);
    const withoutRead = await startGraphSimulator({
      port: 0,
      webhookUrl: receiver.url,
      appSecret: APP_SECRET,
      statusDelaysMs: { sent: 1, delivered: 1, read: false },
    });
    const silent = await startGraphSimulator({ port: 0, statusDelaysMs: { sent: 1, delivered: 1, read: 1 } });
    try {
      await graphPost(withoutRead, WA_PATH, waText('hi'));
      await graphPost(silent, WA_PATH, waText('hi'));
      await withoutRead.whenIdle();
      await silent.whenIdle();

      const statuses = receiver.received.map((w) => w.body.entry[0].changes[0].value.statuses[0].status);
      expect(statuses).toEqual(['sent', 'delivered']);
      expect(silent.webhooks().map((w) => [w.status, w.error])).toEqual([
        [null, 'no webhook URL configured'],
        [null, 'no webhook URL configured'],
        [null, 'no webhook URL configured'],
      ]);
    } finally {
      await withoutRead.close();
      await silent.close();
      await receiver.close();
    }
  });

  it('refuses to start with a webhook URL but no app secret to sign with', async () => {
    await expect(startGraphSimulator({ port: 0, webhookUrl: 'http://127.0.0.1:1/webhook' })).rejects.toThrow(/appSecret/);
  });
});
