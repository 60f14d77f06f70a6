import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LOCAL_CUSTOMER_IDS,
  LOCAL_FACEBOOK_PAGE_ID,
  LOCAL_INSTAGRAM_ACCOUNT_ID,
  startGraphSimulator,
  type GraphSimulator,
} from '#lib/local-cloud/graph-simulator/index';
import { readConformanceJson } from '#test/helpers/conformance';
import { APP_SECRET, customerSays, FAST_STATUSES, graphPost, ManualClock, shapeOf, withoutKeys, jsonOf } from './sim-test-kit';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const PSID = LOCAL_CUSTOMER_IDS.messenger;
const IGSID = LOCAL_CUSTOMER_IDS.instagram;
const DAY = 24 * 60 * 60 * 1000;

describe('Graph simulator: Instagram and Messenger Send API', () => {
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
      clock: clock.now,
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

  it('accepts a Messenger message, then posts signed delivery and read receipts for it', async () => {
    const body = { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Your order shipped' } };
    const { status, json } = await graphPost(sim, `/v23.0/${LOCAL_FACEBOOK_PAGE_ID}/messages`, body);
    const webhooks = await receiver.waitFor(2);
    await sim.whenIdle();

    expect(status).toBe(200);
    expect(json).toEqual({ recipient_id: PSID, message_id: expect.stringMatching(/^m_/) });
    const realResponse = readConformanceJson('graph-api', 'messenger4j-messenger-send-response.json');
    expect(shapeOf(json)).toEqual(shapeOf(withoutKeys(realResponse, ['attachment_id'])));
    expect(sim.outbox()[0]).toMatchObject({ status: 200, body, response: json, channel: 'messenger', recipientId: PSID });
    expect(receiver.received).toHaveLength(2);
    expect(webhooks.every((w) => w.signatureValid)).toBe(true);

    const [delivery, read] = webhooks.map((w) => w.body);
    expect(delivery.object).toBe('page');
    expect(delivery.entry[0].messaging[0]).toMatchObject({
      sender: { id: PSID },
      recipient: { id: LOCAL_FACEBOOK_PAGE_ID },
      delivery: { mids: [json.message_id] },
    });
    expect(read.entry[0].messaging[0].read.watermark).toBe(delivery.entry[0].messaging[0].delivery.watermark);
    expect(shapeOf(delivery)).toEqual(shapeOf(withoutKeys(readConformanceJson('messenger', 'courier-delivery.json'), ['seq'])));
    expect(shapeOf(read)).toEqual(shapeOf(readConformanceJson('messenger', 'messenger4j-read.json')));
  });

  it('accepts an Instagram message and posts a messaging_seen receipt naming it', async () => {
    const body = { recipient: { id: IGSID }, message: { text: 'Thanks for writing' } };
    const { status, json } = await graphPost(sim, `/v23.0/${LOCAL_INSTAGRAM_ACCOUNT_ID}/messages`, body);
    const [seen] = await receiver.waitFor(1);
    await sim.whenIdle();

    expect(status).toBe(200);
    expect(json.recipient_id).toBe(IGSID);
    expect(receiver.received).toHaveLength(1);
    expect(seen?.signatureValid).toBe(true);
    expect(seen?.body.object).toBe('instagram');
    expect(seen?.body.entry[0].messaging[0]).toMatchObject({
      sender: { id: IGSID },
      recipient: { id: LOCAL_INSTAGRAM_ACCOUNT_ID },
      read: { mid: json.message_id },
    });
    expect(shapeOf(seen?.body)).toEqual(shapeOf(readConformanceJson('instagram', 'restfb-messaging-seen.json')));
  });

  it('routes /me/messages to the Instagram account a known customer wrote to', async () => {
    await customerSays(sim, { channel: 'instagram', text: 'Hi from Instagram' });
    const { status, json } = await graphPost(sim, '/v23.0/me/messages', { recipient: { id: IGSID }, message: { text: 'Hello!' } });

    expect(status).toBe(200);
    expect(sim.outbox().at(-1)).toMatchObject({ channel: 'instagram', accountId: LOCAL_INSTAGRAM_ACCOUNT_ID, messageId: json.message_id });
  });

  it('routes /me/messages for a recipient it never saw to the default Page', async () => {
    await graphPost(sim, '/me/messages', { recipient: { id: '7100000000000099' }, message: { text: 'Hello!' } });
    expect(sim.outbox()[0]).toMatchObject({ channel: 'messenger', accountId: LOCAL_FACEBOOK_PAGE_ID });
  });

  it('answers sender actions with the recipient only, and sends no receipts for them', async () => {
    const { status, json } = await graphPost(sim, '/v23.0/me/messages', { recipient: { id: PSID }, sender_action: 'typing_on' });
    await sim.whenIdle();

    expect(status).toBe(200);
    expect(json).toEqual({ recipient_id: PSID });
    expect(receiver.received).toHaveLength(0);
  });

  it.each([
    ['no recipient', { message: { text: 'hi' } }, /recipient is required/],
    ['neither message nor sender action', { recipient: { id: PSID } }, /either message or sender_action/],
    ['both message and sender action', { recipient: { id: PSID }, message: { text: 'x' }, sender_action: 'typing_on' }, /separate request/],
    ['an empty message', { recipient: { id: PSID }, message: {} }, /Message cannot be empty/],
    ['a quick reply without payload', { recipient: { id: PSID }, message: { text: 'x', quick_replies: [{ content_type: 'text', title: 'Yes' }] } }, /payload/],
    ['a message tag type without tag', { recipient: { id: PSID }, messaging_type: 'MESSAGE_TAG', message: { text: 'x' } }, /Tag is required/],
  ])('refuses a send with %s (code 100)', async (_case, body, message) => {
    const { status, json } = await graphPost(sim, `/v23.0/${LOCAL_FACEBOOK_PAGE_ID}/messages`, body);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 100, type: 'OAuthException', message: expect.stringMatching(message) });
    expect(json.error.fbtrace_id).toEqual(expect.any(String));
  });

  it('refuses a Messenger message outside the 24-hour window unless it carries an allowed tag', async () => {
    await customerSays(sim, { channel: 'messenger', text: 'Hello' });
    clock.advance(2 * DAY);
    const page = `/v23.0/${LOCAL_FACEBOOK_PAGE_ID}/messages`;

    const late = await graphPost(sim, page, { recipient: { id: PSID }, message: { text: 'Still there?' } });
    const humanAgent = await graphPost(sim, page, {
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'An agent here' },
    });
    const update = await graphPost(sim, page, {
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'POST_PURCHASE_UPDATE',
      message: { text: 'Your parcel arrived' },
    });

    expect(late.status).toBe(400);
    expect(late.json.error).toMatchObject({ code: 10, error_subcode: 2018278 });
    expect(humanAgent.status).toBe(200);
    expect(update.status).toBe(200);
  });

  it('gives an Instagram human agent 7 days and no more', async () => {
    await customerSays(sim, { channel: 'instagram', text: 'Hello' });
    const account = `/v23.0/${LOCAL_INSTAGRAM_ACCOUNT_ID}/messages`;
    const tagged = { recipient: { id: IGSID }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Agent' } };

    clock.advance(6 * DAY);
    const withinSevenDays = await graphPost(sim, account, tagged);
    clock.advance(2 * DAY);
    const afterSevenDays = await graphPost(sim, account, tagged);

    expect(withinSevenDays.status).toBe(200);
    expect(afterSevenDays.status).toBe(400);
    expect(afterSevenDays.json.error).toMatchObject({ code: 10, error_subcode: 2534022 });
  });

  it('answers a profile lookup for a customer who wrote, and an unknown id with 100/33', async () => {
    await customerSays(sim, { channel: 'messenger', name: 'Ana Lima', text: 'Hi' });
    const profile = await fetch(`${sim.url}/v23.0/${PSID}?fields=first_name,last_name&access_token=t`);
    const unknown = await fetch(`${sim.url}/v23.0/123?access_token=t`);

    expect(await jsonOf(profile)).toEqual({ first_name: 'Ana', last_name: 'Lima', id: PSID });
    expect(unknown.status).toBe(400);
    expect((await jsonOf(unknown)).error).toMatchObject({ code: 100, error_subcode: 33 });
  });
});
