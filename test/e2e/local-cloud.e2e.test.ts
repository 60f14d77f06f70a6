import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LOCAL_FACEBOOK_PAGE_ID,
  LOCAL_INSTAGRAM_ACCOUNT_ID,
  LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID,
  LOCAL_WHATSAPP_PHONE_NUMBER_ID,
} from '#lib/local-cloud/graph-simulator/accounts';
import { eventually, LocalCloudHarness, settle } from '#test/e2e/local-cloud-harness';
import { readConformance } from '#test/helpers/conformance';

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
const WA = LOCAL_WHATSAPP_PHONE_NUMBER_ID;

beforeAll(async () => {
  await harness.start();
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

/** A WhatsApp webhook body as Meta sends it, with one text message per customer. */
function whatsappBody(messages: Array<{ from: string; id: string; text: string; name?: string }>): string {
  const now = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000001', phone_number_id: WA },
              contacts: messages.map((m) => ({ profile: { name: m.name ?? 'Customer' }, wa_id: m.from })),
              messages: messages.map((m) => ({ from: m.from, id: m.id, timestamp: String(now), type: 'text', text: { body: m.text } })),
            },
          },
        ],
      },
    ],
  });
}

describe('the local cloud, end to end over HTTP', () => {
  it("answers Meta's verification handshake with the configured token only", async () => {
    const ok = await fetch(`${harness.cloud.webhookUrl}?hub.mode=subscribe&hub.verify_token=${harness.cloud.verifyToken}&hub.challenge=4242`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('4242');
    const wrong = await fetch(`${harness.cloud.webhookUrl}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=4242`);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain('4242');
  });

  it('refuses a badly signed or unsigned body and stores nothing from it', async () => {
    const body = whatsappBody([{ from: '15550000101', id: 'wamid.e2e-unsigned', text: 'hola' }]);
    expect((await harness.postWebhook(body, null)).status).toBe(401);
    expect((await harness.postWebhook(body, 'sha256=' + '0'.repeat(64))).status).toBe(401);
    await settle(1500);
    expect(await harness.conversationItems(`wa:${WA}:15550000101`)).toEqual([]);
    expect(await harness.sendsTo('15550000101')).toEqual([]);
  });

  it.each([
    ['whatsapp', '15550000201', `wa:${WA}:15550000201`, 'Hola, buenas tardes'],
    ['instagram', '6100000000000201', `ig:${LOCAL_INSTAGRAM_ACCOUNT_ID}:6100000000000201`, 'Olá, bom dia'],
    ['messenger', '7100000000000201', `fb:${LOCAL_FACEBOOK_PAGE_ID}:7100000000000201`, 'Hello there'],
  ] as const)('answers a %s customer through the Graph API and keeps both messages', async (channel, customerId, key, text) => {
    await harness.customerSays({ channel, customerId, text, name: 'E2E Customer' });
    const sends = await eventually(async () => {
      const s = await harness.sendsTo(customerId);
      return s.length > 0 && s;
    }, `a ${channel} reply`);
    expect(sends).toHaveLength(1);
    expect(sends[0]!.status).toBe(200);
    if (channel === 'whatsapp') expect(sends[0]!.path).toBe(`/v23.0/${WA}/messages`);
    else expect(sends[0]!.path).toMatch(/\/v23\.0\/(\d+|me)\/messages$/);

    const items = await eventually(async () => {
      const all = await harness.conversationItems(key);
      const messages = all.filter((i) => i.entity === 'Message');
      return messages.some((m) => m.direction === 'outbound' && m.status) && all;
    }, 'the outbound message item');
    const inbound = items.filter((i) => i.entity === 'Message' && i.direction === 'inbound');
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ channel, type: 'text', text, origin: 'customer' });
    expect(items.find((i) => i.entity === 'Conversation')).toMatchObject({ channel, state: 'bot', inboundCount: 1 });
  });

  it('answers a message delivered three times exactly once', async () => {
    const body = whatsappBody([{ from: '15550000301', id: 'wamid.e2e-dup-1', text: 'hello, I need help' }]);
    const answers = await Promise.all([harness.postWebhook(body), harness.postWebhook(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await eventually(async () => (await harness.sendsTo('15550000301')).length > 0, 'the reply');
    expect((await harness.postWebhook(body)).status).toBe(200);
    await settle(3000);
    expect(await harness.sendsTo('15550000301')).toHaveLength(1);
    const inbound = (await harness.conversationItems(`wa:${WA}:15550000301`)).filter((i) => i.entity === 'Message' && i.direction === 'inbound');
    expect(inbound).toHaveLength(1);
  });

  it('splits one POST carrying three conversations and answers each customer', async () => {
    const customers = ['15550000401', '15550000402', '15550000403'];
    const body = whatsappBody(customers.map((from, i) => ({ from, id: `wamid.e2e-batch-${i}`, text: 'hi' })));
    expect((await harness.postWebhook(body)).status).toBe(200);
    for (const c of customers) {
      await eventually(async () => (await harness.sendsTo(c)).length === 1, `the reply to ${c}`);
    }
    for (const c of customers) {
      const conv = await harness.item(`CONV#wa:${WA}:${c}`, 'CONV');
      expect(conv).toMatchObject({ customerId: c, inboundCount: 1 });
    }
  });

  it("records the simulator's sent, delivered and read receipts on the reply, in order", async () => {
    const customer = '15550000501';
    await harness.customerSays({ channel: 'whatsapp', customerId: customer, text: 'hello' });
    const [send] = await eventually(async () => {
      const s = await harness.sendsTo(customer);
      return s.length > 0 && s;
    }, 'the reply');
    const wamid = send!.response.messages[0].id as string;
    const pointer = await eventually(() => harness.item(`PMID#${wamid}`, 'PMID'), 'the provider id pointer');
    const message = await eventually(async () => {
      const m = await harness.item(`CONV#${pointer.conversationKey}`, pointer.messageSk);
      // The status queue is unordered: wait for every receipt, not just the highest one.
      return m?.status === 'read' && m.sentAt && m.deliveredAt && m.readAt && m;
    }, 'the reply to reach read with every receipt time');
    expect(message).toMatchObject({ direction: 'outbound', status: 'read' });
    // Receipt times come from Meta in whole seconds; sentAt is when the API accepted the send.
    expect(Date.parse(message.deliveredAt)).toBeGreaterThanOrEqual(Date.parse(message.sentAt) - 1000);
    expect(message.readAt >= message.deliveredAt).toBe(true);
    // The normalizer applies each receipt to the message on arrival. Only a receipt that beat the
    // sender's own write is kept apart (and retried by status tracking); at most `sent` can.
    const statuses = (await harness.conversationItems(pointer.conversationKey)).filter((i) => i.entity === 'StatusChange');
    expect(statuses.filter((s) => s.status !== 'sent')).toEqual([]);
  });

  it('quarantines signed garbage, answers 200, and keeps answering customers', async () => {
    const garbage = '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":';
    const res = await harness.postWebhook(garbage);
    expect(res.status).toBe(200);
    const unknownObject = JSON.stringify({ object: 'user', entry: [{ id: '1', changes: [{ field: 'name', value: 'x' }] }] });
    expect((await harness.postWebhook(unknownObject)).status).toBe(200);

    const today = new Date().toISOString().slice(0, 10);
    const quarantined = await eventually(async () => {
      const items = await harness.quarantinedOn(today);
      return items.length >= 2 && items;
    }, 'two quarantined events');
    expect(quarantined.map((q) => q.reason).sort()).toEqual(expect.arrayContaining(['invalid_json', 'unknown_object:user']));
    expect(quarantined.find((q) => q.reason === 'invalid_json')?.rawPayload).toBe(garbage);

    await harness.customerSays({ channel: 'whatsapp', customerId: '15550000601', text: 'still there?' });
    await eventually(async () => (await harness.sendsTo('15550000601')).length === 1, 'a reply after the garbage');
  });

  it('quarantines a real published WhatsApp payload for a number nobody registered, and does not answer it', async () => {
    // pywa's signed test body: phone_number_id 277321005464405, customer 972544401243. Its
    // timestamp is from 2024, outside the 24-hour window, so it gets today's time (and our signature).
    const original = readConformance('verification', 'pywa-signed-whatsapp-text.body.json');
    const body = original.replace('"timestamp":"1730231903"', `"timestamp":"${Math.floor(Date.now() / 1000)}"`);
    expect(body).not.toBe(original);
    expect((await harness.postWebhook(body)).status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const quarantined = await eventually(async () => {
      const items = await harness.quarantinedOn(today);
      return items.find((q) => q.reason === 'unknown_account' && String(q.conversationKey).startsWith('wa:277321005464405:'));
    }, 'the unregistered number quarantined');
    expect(quarantined).toMatchObject({ channel: 'whatsapp' });
    expect(await harness.sendsTo('972544401243')).toEqual([]);
  });

  it('leaves nothing in any dead-letter queue', () => {
    const counts = harness.deadLettered();
    expect(Object.keys(counts).length).toBeGreaterThanOrEqual(4);
    expect(counts).toEqual(Object.fromEntries(Object.keys(counts).map((k) => [k, 0])));
  });
});
