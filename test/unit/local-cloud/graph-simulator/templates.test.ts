import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { parseTemplatePage } from '#lambdas/templates/list-graph-templates';
import { APP_SECRET, CUSTOMER_WA_ID, graphPost, simGet, TOKEN, WA_PATH } from './sim-test-kit';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const WABA = '200000000000001';
const LIST = `/v23.0/${WABA}/message_templates`;
const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER_WA_ID, type: 'template' };
const text = (...values: string[]) => values.map((v) => ({ type: 'text', text: v }));
const deliveryUpdate = (components: unknown[], language = 'en_US') => ({
  ...base,
  template: { name: 'delivery_update', language: { code: language }, components },
});
const fullDelivery = [
  { type: 'header', parameters: text('A-1') },
  { type: 'body', parameters: text('A-1', 'Friday') },
  { type: 'button', sub_type: 'url', index: '0', parameters: text('A-1') },
];

describe('Graph simulator: message templates', () => {
  let sim: GraphSimulator;
  let strict: GraphSimulator;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(APP_SECRET);
    sim = await startGraphSimulator({
      port: 0,
      accessTokens: [TOKEN],
      webhookUrl: receiver.url,
      appSecret: APP_SECRET,
      statusDelaysMs: { sent: 1, delivered: 1, read: false },
    });
    strict = await startGraphSimulator({ port: 0, accessTokens: [TOKEN], strictTemplates: true });
  });
  afterAll(async () => {
    await sim.close();
    await strict.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await sim.whenIdle();
    sim.reset();
    receiver.clear();
  });

  it('pages the listing with cursors, and gives paging.next only while more follow', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const { status, json } = await simGet(sim, `${LIST}?fields=name,language,status&limit=2${after ? `&after=${after}` : ''}`);
      expect(status).toBe(200);
      pages += 1;
      for (const t of json.data) {
        expect(Object.keys(t).sort()).toEqual(['id', 'language', 'name', 'status']);
        seen.push(`${t.name}/${t.language}`);
      }
      expect(json.paging.cursors.after).toEqual(expect.any(String));
      const page = parseTemplatePage(json);
      after = page.after;
      if (pages < 3) expect(json.paging.next).toContain(`after=${json.paging.cursors.after}`);
      else expect(json.paging.next).toBeUndefined();
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(['delivery_update/en_US', 'delivery_update/es', 'appointment_reminder/en_US', 'summer_offer/en_US', 'welcome_back/en_US']);
  });

  it('refuses the listing of a WABA it does not play, and a cursor it did not hand out', async () => {
    expect((await simGet(sim, '/v23.0/299999999999999/message_templates')).json.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await simGet(sim, `${LIST}?after=bm9wZQ`)).json.error).toMatchObject({ code: 100 });
  });

  it('accepts a template send that matches the approved template', async () => {
    const { status, json } = await graphPost(sim, WA_PATH, deliveryUpdate(fullDelivery));
    expect(status).toBe(200);
    expect(json.messages[0].message_status).toBe('accepted');
  });

  it.each([
    ['an unknown language', deliveryUpdate(fullDelivery, 'pt_BR'), 132001, /does not exist in pt_BR/],
    [
      'a missing body parameter',
      deliveryUpdate([fullDelivery[0], { type: 'body', parameters: text('A-1') }, fullDelivery[2]]),
      132000,
      /body: number of localizable_params \(1\) does not match the expected number of params \(2\)/,
    ],
    ['a missing header', deliveryUpdate(fullDelivery.slice(1)), 132000, /header/],
    ['a missing URL suffix', deliveryUpdate(fullDelivery.slice(0, 2)), 131008, /index 0 of type Url/],
    ['a rejected template', { ...base, template: { name: 'welcome_back', language: { code: 'en_US' } } }, 132001, /does not exist/],
    [
      'positional parameters for a named template',
      { ...base, template: { name: 'appointment_reminder', language: { code: 'en_US' }, components: [{ type: 'body', parameters: text('Ana', 'Fri', '9') }] } },
      132012,
      /named parameters expected/,
    ],
    [
      'no image for an image header',
      {
        ...base,
        template: {
          name: 'summer_offer',
          language: { code: 'en_US' },
          components: [
            { type: 'body', parameters: text('Ana', 'S') },
            { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'S' }] },
          ],
        },
      },
      132012,
      /expected IMAGE/,
    ],
  ] as const)('refuses %s like Meta', async (_case, body, code, details) => {
    const { status, json } = await graphPost(sim, WA_PATH, body);
    expect(status).toBe(400);
    expect(json.error.code).toBe(code);
    expect(json.error.error_data.details).toMatch(details);
  });

  it('accepts a marketing template with its image header and copy-code button, and a named one', async () => {
    const offer = {
      ...base,
      template: {
        name: 'summer_offer',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/offer.png' } }] },
          { type: 'body', parameters: text('Ana', 'SUMMER20') },
          { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'SUMMER20' }] },
        ],
      },
    };
    expect((await graphPost(sim, WA_PATH, offer)).status).toBe(200);
    const names = ['first_name', 'date', 'time'].map((n) => ({ type: 'text', parameter_name: n, text: 'x' }));
    const reminder = { ...base, template: { name: 'appointment_reminder', language: { code: 'en_US' }, components: [{ type: 'body', parameters: names }] } };
    expect((await graphPost(sim, WA_PATH, reminder)).status).toBe(200);
  });

  it('accepts templates of names it does not hold unless strict', async () => {
    const unknown = { ...base, template: { name: 'not_in_catalogue', language: { code: 'en' } } };
    expect((await graphPost(sim, WA_PATH, unknown)).status).toBe(200);
    expect((await graphPost(strict, WA_PATH, unknown)).json.error).toMatchObject({ code: 132001 });
  });

  it('changes a template through the control route, posts the signed status webhook, and refuses paused and disabled templates', async () => {
    const pause = await fetch(`${sim.url}/_sim/templates`, {
      method: 'POST',
      body: JSON.stringify({ name: 'delivery_update', language: 'en_US', status: 'PAUSED' }),
    });
    expect(pause.status).toBe(200);
    const [webhook] = await receiver.waitFor(1);
    expect(webhook?.body.entry[0]).toMatchObject({
      id: WABA,
      changes: [
        {
          field: 'message_template_status_update',
          value: { event: 'PAUSED', message_template_name: 'delivery_update', message_template_language: 'en_US', message_template_id: 900000000000001 },
        },
      ],
    });
    expect((await graphPost(sim, WA_PATH, deliveryUpdate(fullDelivery))).json.error.code).toBe(132015);
    await fetch(`${sim.url}/_sim/templates`, { method: 'POST', body: JSON.stringify({ name: 'delivery_update', language: 'en_US', status: 'DISABLED' }) });
    expect((await graphPost(sim, WA_PATH, deliveryUpdate(fullDelivery))).json.error.code).toBe(132016);

    const added = await fetch(`${sim.url}/_sim/templates`, {
      method: 'POST',
      body: JSON.stringify({ name: 'new_one', language: 'en', category: 'MARKETING', components: [{ type: 'BODY', text: 'Hi' }] }),
    });
    expect(((await added.json()) as { template: unknown }).template).toMatchObject({ name: 'new_one', status: 'APPROVED', id: expect.any(String) });
    const { json } = await simGet(sim, `${LIST}?limit=100`);
    expect(json.data.map((t: { name: string }) => t.name)).toContain('new_one');
  });
});
