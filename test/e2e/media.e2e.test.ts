import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_INSTAGRAM_ACCOUNT_ID, LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { eventually, LocalCloudHarness } from '#test/e2e/local-cloud-harness';

const harness = new LocalCloudHarness();

beforeAll(async () => {
  await harness.start();
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

/** The local name of the media bucket: the template gives it none, so the local cloud derives it from the logical id. */
const MEDIA_BUCKET = 'mediabucket';

async function customerSendsFile(channel: 'whatsapp' | 'instagram', customerId: string, mimeType: string, bytes: Buffer) {
  const res = await fetch(`${harness.cloud.graphUrl}/_sim/customer/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel, customerId, media: { mimeType, base64: bytes.toString('base64'), caption: 'my receipt' } }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string };
}

const CASES = [
  { channel: 'whatsapp' as const, key: `wa:${LOCAL_WHATSAPP_PHONE_NUMBER_ID}:15550000401`, customer: '15550000401', account: LOCAL_WHATSAPP_PHONE_NUMBER_ID },
  {
    channel: 'instagram' as const,
    key: `ig:${LOCAL_INSTAGRAM_ACCOUNT_ID}:9300000000000401`,
    customer: '9300000000000401',
    account: LOCAL_INSTAGRAM_ACCOUNT_ID,
  },
];

describe('a customer sends an image through the local cloud', () => {
  it.each(CASES)('on $channel it lands in the media bucket and its key on the message', async ({ channel, key, customer, account }) => {
    const image = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`picture from ${channel}`)]);
    const { id } = await customerSendsFile(channel, customer, 'image/png', image);

    const message = await eventually(
      async () => {
        const item = await harness.item(`CONV#${key}`, `MSG#${id}`);
        return typeof item?.mediaS3Key === 'string' ? item : undefined;
      },
      `the ${channel} image stored and recorded`,
      60_000,
    );

    expect(message.mediaS3Key).toMatch(new RegExp(`^media/${account}/\\d{4}/\\d{2}/\\d{2}/[0-9a-f]{40}-0$`));
    expect(message.mediaS3Key).not.toContain(customer);
    expect(message).toMatchObject({ mediaSize: image.length, mediaContentType: 'image/png' });
    expect(message.mediaError).toBeUndefined();
    const object = harness.cloud.aws.s3.getObject(MEDIA_BUCKET, message.mediaS3Key);
    expect(createHash('sha256').update(object.body).digest('hex')).toBe(createHash('sha256').update(image).digest('hex'));
    expect(harness.deadLettered()['MediaDownloadDeadLetterQueue']).toBe(0);
  });
});
