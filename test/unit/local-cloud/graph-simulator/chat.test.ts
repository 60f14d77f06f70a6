import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderBusinessMessage } from '#lib/local-cloud/graph-simulator/chat-render';
import { ChatSession } from '#lib/local-cloud/graph-simulator/chat-session';
import { LOCAL_CUSTOMER_IDS, LOCAL_FACEBOOK_PAGE_ID, startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { APP_SECRET, CUSTOMER_WA_ID, graphPost, WA_PATH, waText } from './sim-test-kit';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER_WA_ID };

describe('renderBusinessMessage', () => {
  it('shows WhatsApp reply buttons as numbered options under the text', () => {
    const rendered = renderBusinessMessage('whatsapp', {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Support' },
        body: { text: 'What do you need?' },
        footer: { text: 'Reply any time' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'order', title: 'My order' } },
            { type: 'reply', reply: { id: 'agent', title: 'An agent' } },
          ],
        },
      },
    });

    expect(rendered.lines).toEqual(['*Support*', 'What do you need?', '_Reply any time_', '  [1] My order', '  [2] An agent']);
    expect(rendered.options.map((o) => [o.kind, o.id])).toEqual([
      ['button_reply', 'order'],
      ['button_reply', 'agent'],
    ]);
  });

  it('shows a WhatsApp list with its sections, numbering rows across sections', () => {
    const rendered = renderBusinessMessage('whatsapp', {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick a delivery' },
        action: {
          button: 'Delivery',
          sections: [
            { title: 'Fast', rows: [{ id: 'express', title: 'Express', description: 'Next day' }] },
            { title: 'Cheap', rows: [{ id: 'standard', title: 'Standard' }] },
          ],
        },
      },
    });

    expect(rendered.lines).toEqual(['Pick a delivery', '  Delivery:', '  — Fast —', '  [1] Express — Next day', '  — Cheap —', '  [2] Standard']);
  });

  it('shows text, templates, media and locations readably', () => {
    expect(renderBusinessMessage('whatsapp', waText('Hello')).lines).toEqual(['Hello']);
    expect(
      renderBusinessMessage('whatsapp', {
        ...base,
        type: 'template',
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'A-1' },
                { type: 'text', text: 'Friday' },
              ],
            },
            { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
          ],
        },
      }).lines,
    ).toEqual(['[template order_update (en_US)]', '  with: A-1 | Friday', '  [1] STOP']);
    expect(renderBusinessMessage('whatsapp', { ...base, type: 'image', image: { link: 'https://example.com/a.png', caption: 'Receipt' } }).lines).toEqual([
      '[image] Receipt (https://example.com/a.png)',
    ]);
    expect(renderBusinessMessage('whatsapp', { ...base, type: 'location', location: { latitude: 38.7, longitude: -9.1, name: 'Shop' } }).lines).toEqual([
      '[location] Shop (38.7, -9.1)',
    ]);
  });

  it('shows Messenger quick replies and button templates with their postbacks and links', () => {
    const quick = renderBusinessMessage('messenger', {
      recipient: { id: '1' },
      message: { text: 'Rate us', quick_replies: [{ content_type: 'text', title: 'Great', payload: 'CSAT_5' }] },
    });
    const template = renderBusinessMessage('instagram', {
      recipient: { id: '1' },
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: 'Need more help?',
            buttons: [
              { type: 'web_url', title: 'Help centre', url: 'https://example.com/help' },
              { type: 'postback', title: 'Talk to us', payload: 'HANDOFF' },
            ],
          },
        },
      },
    });

    expect(quick.lines).toEqual(['Rate us', '  [1] Great']);
    expect(quick.options[0]).toMatchObject({ kind: 'quick_reply', id: 'CSAT_5' });
    expect(template.lines).toEqual(['Need more help?', '  🔗 Help centre: https://example.com/help', '  [1] Talk to us']);
    expect(template.options[0]).toMatchObject({ kind: 'postback', id: 'HANDOFF' });
  });
});

describe('ChatSession against the simulator', () => {
  let sim: GraphSimulator;
  let receiver: WebhookReceiver;
  let printed: string[];

  beforeAll(async () => {
    receiver = await startWebhookReceiver(APP_SECRET);
    sim = await startGraphSimulator({
      port: 0,
      webhookUrl: receiver.url,
      appSecret: APP_SECRET,
      statusDelaysMs: { sent: 1, delivered: 1, read: false },
    });
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(() => {
    sim.reset();
    printed = [];
  });

  function session(channel: 'whatsapp' | 'messenger') {
    return new ChatSession({
      simulatorUrl: sim.url,
      channel,
      name: 'Ana',
      print: (line) => printed.push(line),
      since: new Date(Date.now() - 60_000),
    });
  }

  it('sends typed lines as customer messages and taps options by number', async () => {
    const chat = session('whatsapp');
    expect(await chat.handleLine('I want to change my delivery')).toBe('sent');

    await graphPost(sim, WA_PATH, {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick a delivery' },
        action: {
          button: 'Delivery',
          sections: [
            {
              title: 'All',
              rows: [
                { id: 'express', title: 'Express' },
                { id: 'pickup', title: 'Pick-up' },
              ],
            },
          ],
        },
      },
    });
    expect(await chat.poll()).toBe(1);
    expect(await chat.poll()).toBe(0);
    expect(printed).toEqual([
      'business: Pick a delivery',
      '            Delivery:',
      '            — All —',
      '            [1] Express',
      '            [2] Pick-up',
    ]);

    expect(await chat.handleLine('2')).toBe('tapped');
    expect(await chat.handleLine('   ')).toBe('ignored');
    expect(await chat.handleLine('/quit')).toBe('quit');

    const customerMessages = sim.webhooks().filter((w) => w.kind === 'customer_message');
    const sent = customerMessages.map((w) => (w.payload as any).entry[0].changes[0].value.messages[0]);
    expect(sent[0]).toMatchObject({ type: 'text', text: { body: 'I want to change my delivery' } });
    expect(sent[1]).toMatchObject({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'pickup', title: 'Pick-up' } } });
    expect((customerMessages[0]!.payload as any).entry[0].changes[0].value.contacts[0].profile.name).toBe('Ana');
  });

  it('sends a number as text when no option has that number', async () => {
    const chat = session('messenger');
    await graphPost(sim, `/v23.0/${LOCAL_FACEBOOK_PAGE_ID}/messages`, {
      recipient: { id: LOCAL_CUSTOMER_IDS.messenger },
      message: { text: 'Rate us', quick_replies: [{ content_type: 'text', title: 'Great', payload: 'CSAT_5' }] },
    });
    await chat.poll();

    expect(await chat.handleLine('7')).toBe('sent');
    expect(await chat.handleLine('1')).toBe('tapped');
    const messages = sim
      .webhooks()
      .map((w) => (w.payload as any).entry[0].messaging[0].message)
      .filter(Boolean);
    expect(messages).toEqual([expect.objectContaining({ text: '7' }), expect.objectContaining({ text: 'Great', quick_reply: { payload: 'CSAT_5' } })]);
  });

  it('warns when the webhook endpoint refuses the message', async () => {
    receiver.respondWith = 403;
    try {
      await session('whatsapp').handleLine('hello');
    } finally {
      receiver.respondWith = 200;
    }
    expect(printed).toEqual(['! the webhook endpoint answered HTTP 403']);
  });

  it('says so when the simulator cannot be reached', async () => {
    const chat = new ChatSession({ simulatorUrl: 'http://127.0.0.1:9', channel: 'whatsapp', print: (l) => printed.push(l) });
    expect(await chat.handleLine('hello')).toBe('failed');
    expect(printed[0]).toMatch(/cannot reach the Graph simulator/);
  });
});
