import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID, LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { LOCAL_DEFAULTS } from '#lib/local-cloud/start-local-cloud';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { eventually, LocalCloudHarness, settle } from '#test/e2e/local-cloud-harness';

/**
 * Every line every function logs during a run that touches all three channels, receipts, a
 * handshake, refused signatures and signed garbage must carry ids only: no customer name, phone
 * number, message text, email address, secret or token.
 */
const APP_SECRET = 'privacy-app-secret-5f1c9a';
const VERIFY_TOKEN = 'privacy-verify-token-7d2e4b';
const EMAIL = 'zorvath.quillane@example.org';
const PHONE_IN_TEXT = '+44 7700 900461';

const customers = [
  { channel: 'whatsapp', customerId: '15557310042', name: 'Zorvath Quillane', text: `My parcel never came, write to ${EMAIL} or call ${PHONE_IN_TEXT}` },
  { channel: 'instagram', customerId: '6100000073100042', name: 'Ysolde Marrowind', text: 'Quiero devolver las zapatillas violetas talla 38' },
  { channel: 'messenger', customerId: '7100000073100042', name: 'Thaddeus Ombrelane', text: 'Is the copper kettle back in stock at the Lisbon shop?' },
] as const;

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);

beforeAll(async () => {
  await harness.start({ appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

function whatsappBody(from: string, name: string, id: string, text: string): string {
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
              metadata: { display_phone_number: '15550000001', phone_number_id: LOCAL_WHATSAPP_PHONE_NUMBER_ID },
              contacts: [{ profile: { name }, wa_id: from }],
              messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
}

/** Values that must never appear in a log line, each with what it is (for the failure message). */
function forbidden(): Array<[string, string]> {
  const values: Array<[string, string]> = [
    ['app secret', APP_SECRET],
    ['verify token', VERIFY_TOKEN],
    ['access token', LOCAL_DEFAULTS.accessToken],
    ['email in a text', EMAIL],
    ['phone number in a text', PHONE_IN_TEXT],
    ['phone number in a text, digits only', PHONE_IN_TEXT.replace(/\D/g, '')],
    ['refused sender', '15557310099'],
    ['refused name', 'Wendeline Brackstraw'],
    ['garbage name', 'Ottoline Vexmoor'],
    ['garbage phone', '15557310077'],
  ];
  for (const c of customers) {
    values.push([`${c.channel} name`, c.name], [`${c.channel} text`, c.text]);
    // A WhatsApp customer id is a phone number; Instagram and Messenger ids are opaque, page-scoped ids.
    if (c.channel === 'whatsapp') values.push(['WhatsApp wa_id', c.customerId]);
    // A log that cuts a text short still leaks it: look for its first words too.
    values.push([`${c.channel} text start`, c.text.slice(0, 16)]);
  }
  return values;
}

describe('log privacy across a whole local run', () => {
  it('plays the run', async () => {
    const handshake = await fetch(`${harness.cloud.webhookUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=4242`);
    expect(await handshake.text()).toBe('4242');
    const wrongHandshake = await fetch(`${harness.cloud.webhookUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}x&hub.challenge=1`);
    expect(wrongHandshake.status).toBe(403);

    const refused = whatsappBody('15557310099', 'Wendeline Brackstraw', 'wamid.privacy-refused', `call me on ${PHONE_IN_TEXT}`);
    expect((await harness.postWebhook(refused, null)).status).toBe(401);
    expect((await harness.postWebhook(refused, signMetaBody(refused, 'not-the-secret'))).status).toBe(401);

    // Signed garbage, each kind quarantined on a different path, all carrying personal data.
    const garbage = [
      `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"contacts":[{"profile":{"name":"Ottoline Vexmoor"},"wa_id":"15557310077"}]`,
      JSON.stringify({ object: 'Ottoline Vexmoor 15557310077', entry: [] }),
      JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1, messaging: [{ sender: { id: '15557310077' }, message: { text: 'Ottoline Vexmoor' } }] }] }),
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          { id: '1', changes: [{ field: 'messages', value: { messages: [{ from: '15557310077', type: 'text', text: { body: 'Ottoline Vexmoor' } }] } }] },
        ],
      }),
    ];
    for (const body of garbage) expect((await harness.postWebhook(body)).status).toBe(200);

    for (const c of customers) await harness.customerSays({ channel: c.channel, customerId: c.customerId, name: c.name, text: c.text });
    for (const c of customers) {
      await eventually(async () => (await harness.sendsTo(c.customerId)).length > 0, `the ${c.channel} reply`);
    }
    // The WhatsApp reply's receipts go through the status path too.
    const [send] = await harness.sendsTo(customers[0].customerId);
    const wamid = send!.response?.messages?.[0]?.id as string;
    await eventually(async () => {
      const pointer = await harness.item(`PMID#${wamid}`, 'PMID');
      if (!pointer) return false;
      const items = await harness.conversationItems(pointer.conversationKey);
      return items.some((i) => i.entity === 'Message' && i.status === 'read');
    }, 'the read receipt of the WhatsApp reply');
    await settle(1500);
  }, 120_000);

  it('captured log lines from the functions (the check below is not vacuous)', () => {
    expect(harness.logLines.length).toBeGreaterThan(0);
    expect(harness.logLines.some((l) => l.includes('signature rejected'))).toBe(true);
    expect(harness.logLines.some((l) => l.includes('quarantined'))).toBe(true);
  });

  it('no log line carries a name, phone number, text, email, secret or token', () => {
    const leaks: string[] = [];
    for (const line of harness.logLines) {
      for (const [what, value] of forbidden()) {
        if (line.includes(value)) leaks.push(`${what}: ${line.slice(0, 300)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
