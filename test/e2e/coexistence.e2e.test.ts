/**
 * A WhatsApp number shared with the WhatsApp Business App (coexistence), through the local cloud:
 * Meta's own payloads from the conformance corpus, addressed to the local number, signed and
 * posted to the webhook like Meta would.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID,
  LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER,
  LOCAL_WHATSAPP_PHONE_NUMBER_ID,
} from '#lib/local-cloud/graph-simulator/accounts';
import { readConformanceJson } from '#test/helpers/conformance';
import { eventually, LocalCloudHarness, settle } from '#test/e2e/local-cloud-harness';

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);

beforeAll(async () => {
  await harness.start();
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

const keyOf = (waId: string) => `wa:${LOCAL_WHATSAPP_PHONE_NUMBER_ID}:${waId}`;
const nowSeconds = () => String(Math.floor(Date.now() / 1000));

/** A conformance body addressed to the local WABA and number. */
function addressedToLocalNumber(file: string): any {
  const body = readConformanceJson('whatsapp', file);
  for (const entry of body.entry) {
    entry.id = LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID;
    for (const change of entry.changes) {
      change.value.metadata = { display_phone_number: LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER, phone_number_id: LOCAL_WHATSAPP_PHONE_NUMBER_ID };
    }
  }
  return body;
}

async function post(body: unknown): Promise<void> {
  const res = await harness.postWebhook(JSON.stringify(body));
  expect(res.status).toBe(200);
}

describe('a coexistence number through the local cloud', () => {
  it('records a message a person sent from the Business App as theirs, and the bot stays quiet', async () => {
    const customer = '15550000601';
    const key = keyOf(customer);
    await harness.customerSays({ channel: 'whatsapp', customerId: customer, text: 'hello' });
    await eventually(async () => (await harness.sendsTo(customer)).length === 1 || undefined, 'the bot greets the customer', 60_000);

    const echo = addressedToLocalNumber('pywa-smb-echo-text.json');
    const value = echo.entry[0].changes[0].value;
    value.contacts[0].wa_id = customer;
    const echoed = value.message_echoes[0];
    Object.assign(echoed, { from: LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER, to: customer, id: 'wamid.e2e-coexistence-echo-1', timestamp: nowSeconds() });
    delete echoed.to_user_id;
    delete echoed.to_parent_user_id;
    await post(echo);

    const message = await eventually(() => harness.item(`CONV#${key}`, 'MSG#wamid.e2e-coexistence-echo-1'), 'the echo stored in the conversation', 60_000);
    expect(message).toMatchObject({ direction: 'outbound', origin: 'business_app', type: 'text' });
    const conversation = await eventually(
      async () => {
        const c = await harness.item(`CONV#${key}`, 'CONV');
        return c?.state === 'human' && typeof c.humanQuietUntil === 'string' ? c : undefined;
      },
      'the conversation handed to the person writing from the app',
      60_000,
    );
    expect(Date.parse(conversation.humanQuietUntil)).toBeGreaterThan(Date.now());

    // The customer answers the person: stored, and the bot does not butt in.
    const { id } = await harness.customerSays({ channel: 'whatsapp', customerId: customer, text: 'thanks, and where is my order?' });
    await eventually(() => harness.item(`CONV#${key}`, `MSG#${id}`), 'the customer answer stored', 60_000);
    await settle(4_000);
    expect(await harness.sendsTo(customer)).toHaveLength(1);
  });

  it('imports chat history without answering it or counting it as a response', async () => {
    const customer = '15550000602';
    const key = keyOf(customer);
    const history = addressedToLocalNumber('positus-history-phase0.json');
    const threads = history.entry[0].changes[0].value.history[0].threads;
    // One thread of the customer: their messages and one the business sent from the app.
    threads.splice(1);
    threads[0].id = customer;
    const messages = threads[0].messages;
    messages.forEach((m: any, i: number) => {
      m.id = `wamid.e2e-history-${i}`;
      m.from = i === 2 ? LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER : customer;
      if (i === 2) m.to = customer;
    });
    await post(history);

    const stored = await eventually(
      async () => {
        const items = (await harness.conversationItems(key)).filter((i) => i.entity === 'Message');
        return items.length === messages.length ? items : undefined;
      },
      'every history message stored',
      60_000,
    );
    for (const item of stored) expect(item.origin).toBe('history');
    expect(stored.find((i) => i.messageId === 'wamid.e2e-history-0')).toMatchObject({ direction: 'inbound', text: 'mensagem1' });
    expect(stored.find((i) => i.messageId === 'wamid.e2e-history-2')).toMatchObject({ direction: 'outbound' });

    await settle(4_000);
    expect(await harness.sendsTo(customer)).toHaveLength(0);
    const conversation = await harness.item(`CONV#${key}`, 'CONV');
    expect(conversation?.firstResponseAt).toBeUndefined();
    expect(conversation?.firstInboundAt).toBeUndefined();
    expect(conversation?.importedCount).toBe(messages.length);

    // A fresh message after the import is the conversation's first live one, and is answered.
    await harness.customerSays({ channel: 'whatsapp', customerId: customer, text: 'hi' });
    await eventually(async () => (await harness.sendsTo(customer)).length === 1 || undefined, 'the live message answered', 60_000);
  });

  it('keeps the Business App address book: a contact added, then removed, newest first', async () => {
    const customer = '15550000603';
    const sync = (action: 'add' | 'remove', timestamp: string) => {
      const body = addressedToLocalNumber('metadoc-smb-app-state-sync-add.json');
      const item = body.entry[0].changes[0].value.state_sync[0];
      item.contact.phone_number = customer;
      item.action = action;
      item.metadata.timestamp = timestamp;
      if (action === 'remove') delete item.contact.full_name;
      return body;
    };
    const t = Math.floor(Date.now() / 1000);
    await post(sync('add', String(t - 60)));
    const added = await eventually(() => harness.item(`ACCT#${LOCAL_WHATSAPP_PHONE_NUMBER_ID}`, `CONTACT#${customer}`), 'the contact kept', 60_000);
    expect(added).toMatchObject({ addressBookName: 'Pablo Morales', removed: false, source: 'business_app' });

    await post(sync('remove', String(t)));
    await eventually(
      async () => (await harness.item(`ACCT#${LOCAL_WHATSAPP_PHONE_NUMBER_ID}`, `CONTACT#${customer}`))?.removed === true || undefined,
      'the contact removed',
      60_000,
    );
    // An add made before the removal but delivered after it: the removal stays.
    await post(sync('add', String(t - 30)));
    await settle(3_000);
    const after = await harness.item(`ACCT#${LOCAL_WHATSAPP_PHONE_NUMBER_ID}`, `CONTACT#${customer}`);
    expect(after).toMatchObject({ removed: true });
    expect(after?.addressBookName).toBeUndefined();
    // Nothing here is a customer message: no reply went out.
    expect(await harness.sendsTo(customer)).toHaveLength(0);
  });
});
