import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INSTAGRAM_ACCOUNT_ID, LOCAL_WHATSAPP_NUMBER } from '#lib/local-cloud/graph-simulator/accounts';
import { messagingCustomerMessage } from '#lib/local-cloud/graph-simulator/messaging-webhooks';
import { whatsAppCustomerMessage } from '#lib/local-cloud/graph-simulator/whatsapp-webhooks';
import { eventually, LocalCloudHarness, settle } from '#test/e2e/local-cloud-harness';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';
import { type RecordingHttpServer, startRecordingHttpServer } from '#test/helpers/recording-http-server';

/**
 * Signed webhooks an attacker (or a broken sender) could make Meta's way, through the whole local
 * cloud: an Instagram body naming a WhatsApp number, ids too long for any key, and attachments
 * pointing at hosts that are not Meta's. Each is kept or refused without answering, fetching or
 * blocking the customer's next message.
 */
const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
let evil: RecordingHttpServer;

beforeAll(async () => {
  evil = await startRecordingHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    res.end('not really an image');
  });
  await harness.start({ tenants: openAllWeekLocalTenants() });
}, 300_000);
afterAll(async () => {
  await harness.stop();
  await evil?.close();
}, 60_000);

const nowSec = () => Math.floor(Date.now() / 1000);

async function post(body: unknown): Promise<void> {
  const res = await harness.postWebhook(JSON.stringify(body));
  expect(res.status).toBe(200);
}

async function quarantined(reason: string): Promise<Array<Record<string, unknown>>> {
  const out = await harness.db.send(
    new ScanCommand({
      TableName: harness.cloud.tableName,
      FilterExpression: '#r = :r',
      ExpressionAttributeNames: { '#r': 'reason' },
      ExpressionAttributeValues: { ':r': reason },
    }),
  );
  return (out.Items ?? []) as Array<Record<string, unknown>>;
}

const sendsTo = async (customerId: string) =>
  (await harness.outbox()).filter(
    (e) => e.method === 'POST' && (e.body?.to === customerId || e.body?.recipient?.id === customerId) && e.body?.status !== 'read',
  );

describe('hostile ingress through the local cloud', () => {
  it("quarantines an Instagram body that names a WhatsApp number, and answers nobody with that number's token", async () => {
    const customer = '6100000000099001';
    await post(
      messagingCustomerMessage({
        channel: 'instagram',
        accountId: LOCAL_WHATSAPP_NUMBER.phoneNumberId,
        customerId: customer,
        timestampMs: Date.now(),
        mid: 'mid.gate-1',
        content: { text: 'hola' },
      }),
    );
    const items = await eventually(
      async () => {
        const found = await quarantined('channel_mismatch');
        return found.length > 0 && found;
      },
      'the channel mismatch quarantined',
      60_000,
    );
    expect(String(items[0]!.detail)).toContain('instagram');
    await settle(3000);
    expect(await sendsTo(customer)).toEqual([]);
    expect(await harness.item(`CONV#ig:${LOCAL_WHATSAPP_NUMBER.phoneNumberId}:${customer}`, 'CONV')).toBeUndefined();
  });

  it("stores a message with a 1,100-character id at once, and answers the customer's next message right away", async () => {
    const customer = '5511999000111';
    const number = LOCAL_WHATSAPP_NUMBER;
    await post(
      whatsAppCustomerMessage({
        number,
        customerId: customer,
        name: 'Long Id',
        messageId: `wamid.${'A'.repeat(1100)}`,
        timestampSec: nowSec(),
        content: { text: 'hola' },
      }),
    );
    await post(
      whatsAppCustomerMessage({
        number,
        customerId: customer,
        name: 'Long Id',
        messageId: 'wamid.after-long-id',
        timestampSec: nowSec() + 1,
        content: { text: '¿cuánto tarda el envío?' },
      }),
    );
    // Held for 16 minutes before: now the conversation moves on within the test's patience.
    await eventually(async () => (await sendsTo(customer)).length > 0, 'a reply to the customer after the long id', 90_000);
    expect(Object.values(harness.deadLettered()).every((n) => n === 0)).toBe(true);
  });

  it('takes a 300 KB customer id without a dead letter or a blocked queue', async () => {
    const number = LOCAL_WHATSAPP_NUMBER;
    await post(
      whatsAppCustomerMessage({
        number,
        customerId: '9'.repeat(300_000),
        name: 'Huge',
        messageId: 'wamid.huge-customer',
        timestampSec: nowSec(),
        content: { text: 'hola' },
      }),
    );
    const next = '5511999000222';
    await post(
      whatsAppCustomerMessage({ number, customerId: next, name: 'Next', messageId: 'wamid.after-huge', timestampSec: nowSec(), content: { text: 'hola' } }),
    );
    await eventually(async () => (await sendsTo(next)).length > 0, 'the next customer answered', 90_000);
    await settle(2000);
    expect(Object.values(harness.deadLettered()).every((n) => n === 0)).toBe(true);
  });

  it("never fetches an attachment from a host that is not Meta's, nor a shared link, nor a WhatsApp URL without a media id", async () => {
    const customer = '6100000000099002';
    await post(
      messagingCustomerMessage({
        channel: 'instagram',
        accountId: LOCAL_INSTAGRAM_ACCOUNT_ID,
        customerId: customer,
        timestampMs: Date.now(),
        mid: 'mid.ssrf-1',
        content: { attachment: { type: 'image', url: `${evil.url}/steal.jpg` } },
      }),
    );
    await post(
      messagingCustomerMessage({
        channel: 'instagram',
        accountId: LOCAL_INSTAGRAM_ACCOUNT_ID,
        customerId: customer,
        timestampMs: Date.now() + 1,
        mid: 'mid.ssrf-2',
        content: { attachment: { type: 'share', url: `${evil.url}/shared-link` } } as never,
      }),
    );
    // A WhatsApp image carrying a URL and no id: the business's token must not go anywhere.
    const wa = whatsAppCustomerMessage({
      number: LOCAL_WHATSAPP_NUMBER,
      customerId: '5511999000333',
      name: 'Url Only',
      messageId: 'wamid.url-only',
      timestampSec: nowSec(),
      content: { text: 'x' },
    });
    const message = (wa.entry[0]!.changes[0]!.value as unknown as { messages: Array<Record<string, unknown>> }).messages[0]!;
    delete message.text;
    message.type = 'image';
    message.image = { url: `${evil.url}/wa-media`, mime_type: 'image/jpeg', sha256: 'x' };
    await post(wa);

    const refused = await eventually(
      async () => {
        const item = await harness.item(`CONV#ig:${LOCAL_INSTAGRAM_ACCOUNT_ID}:${customer}`, 'MSG#mid.ssrf-1');
        return item?.mediaStatus === 'refused' && item;
      },
      'the foreign attachment refused',
      60_000,
    );
    expect(refused.mediaStatus).toBe('refused');
    await settle(3000);
    expect(evil.requests).toEqual([]);
  });
});
