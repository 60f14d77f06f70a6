import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '#lib/local-cloud/dynamodb-local';
import { LOCAL_WHATSAPP_PHONE_NUMBER_ID as WA } from '#lib/local-cloud/graph-simulator/accounts';
import { REPLY_WATCH_DELAY_SECONDS } from '#lambdas/outbound/watch-reply';
import { eventually, LocalCloudHarness, settle } from '#test/e2e/local-cloud-harness';

/**
 * The reply watch on the local cloud, its quarter of an hour compressed to four seconds: a reply
 * whose request was consumed without a send is asked for again and sent once; a reply left
 * `sending` is reported and never sent; a reply sent normally is left alone.
 */
const WATCH_SECONDS = 4;
const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
let events: EventBridgeClient;

beforeAll(async () => {
  await harness.start({ deliveryDelayScale: WATCH_SECONDS / REPLY_WATCH_DELAY_SECONDS });
  events = new EventBridgeClient({ endpoint: harness.cloud.awsEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

/** A customer who wrote and was answered: the conversation exists and its window is open. */
async function answeredCustomer(customer: string): Promise<Record<string, any>> {
  await harness.customerSays({ channel: 'whatsapp', customerId: customer, text: 'hello' });
  await eventually(async () => (await harness.sendsTo(customer)).length === 1, 'the first reply');
  const items = await harness.conversationItems(`wa:${WA}:${customer}`);
  return items.find((i) => i.entity === 'Message' && i.direction === 'outbound')!;
}

/** Another reply in the same conversation, as whoever asks for replies writes it, in the given state. */
async function writeReply(
  template: Record<string, any>,
  outboundId: string,
  text: string,
  status: 'pending' | 'sending',
  claimedAt = new Date().toISOString(),
) {
  const at = new Date().toISOString();
  const {
    providerMessageId: _p,
    sentAt: _s,
    deliveredAt: _d,
    readAt: _r,
    statusRank: _k,
    statusUpdatedAt: _u,
    statusEventId: _e,
    recipientWaId: _w,
    sendingAt: _a,
    attempts: _t,
    pricingCategory: _c,
    billable: _b,
    ...content
  } = template;
  await harness.db.send(
    new PutCommand({
      TableName: harness.cloud.tableName,
      Item: {
        ...content,
        sk: `MSG#${outboundId}`,
        lsi1sk: `MSG#${at}#${outboundId}`,
        messageId: outboundId,
        text,
        type: 'text',
        replyOptions: undefined,
        status,
        occurredAt: at,
        createdAt: at,
        ...(status === 'sending' ? { sendingAt: claimedAt, attempts: 1 } : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

async function requestReply(template: Record<string, any>, outboundId: string) {
  const out = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: 'Omnichannel-local-events',
          Source: 'io.omnichannel.human-agent',
          DetailType: 'reply.requested',
          Detail: JSON.stringify({ v: 1, conversationKey: template.conversationKey, outboundId, channel: 'whatsapp', accountId: template.accountId }),
        },
      ],
    }),
  );
  expect(out.FailedEntryCount ?? 0).toBe(0);
}

const logged = (text: string) => harness.logLines.filter((l) => l.includes(text));

// Each test plays its own customer and reply id; they run side by side, since most of their time is
// the compressed watch delay.
describe.concurrent('reply watch', () => {
  it('asks again for a reply whose request was consumed before the reply existed, and it is sent once', async () => {
    const customer = '15550007001';
    const first = await answeredCustomer(customer);
    // The request arrives before its reply item: the sender consumes it (no such message).
    await requestReply(first, 'out_watch_lost');
    await eventually(async () => logged('reply request names no stored message').length > 0 || undefined, 'the request consumed without a send');
    await writeReply(first, 'out_watch_lost', 'Your parcel left today.', 'pending');

    const sends = await eventually(
      async () => {
        const s = (await harness.sendsTo(customer)).filter((e) => e.body?.text?.body === 'Your parcel left today.');
        return s.length > 0 && s;
      },
      'the reply asked for again by the watch',
      60_000,
    );
    expect(sends).toHaveLength(1);
    expect(logged('reply still pending; asked for again').length).toBeGreaterThanOrEqual(1);
    const message = await eventually(async () => {
      const m = await harness.item(`CONV#${first.conversationKey}`, 'MSG#out_watch_lost');
      return m?.status !== 'pending' && m?.status !== 'sending' && m;
    }, 'the reply recorded as sent');
    expect(message.providerMessageId).toBe(sends[0]!.response.messages[0].id);

    // The second request's own watch finds it sent: nothing more is sent.
    await settle((WATCH_SECONDS + 3) * 1000);
    expect((await harness.sendsTo(customer)).filter((e) => e.body?.text?.body === 'Your parcel left today.')).toHaveLength(1);
  });

  it('asks again for a WhatsApp reply claimed long ago that Meta never confirmed, and it is sent once', async () => {
    const customer = '15550007004';
    const first = await answeredCustomer(customer);
    // An invocation claimed this send ten minutes ago and died before the Graph call: no receipt ever came.
    await writeReply(first, 'out_watch_dead', 'Here is your tracking number.', 'sending', new Date(Date.now() - 10 * 60_000).toISOString());
    await requestReply(first, 'out_watch_dead');

    const sends = await eventually(
      async () => {
        const s = (await harness.sendsTo(customer)).filter((e) => e.body?.text?.body === 'Here is your tracking number.');
        return s.length > 0 && s;
      },
      'the unconfirmed reply sent again',
      60_000,
    );
    expect(sends).toHaveLength(1);
    expect(sends[0]!.body.biz_opaque_callback_data).toBe('out_watch_dead');
    expect(logged('never confirmed by Meta; asked for again').length).toBeGreaterThanOrEqual(1);
    await eventually(async () => {
      const m = await harness.item(`CONV#${first.conversationKey}`, 'MSG#out_watch_dead');
      return m?.providerMessageId === sends[0]!.response.messages[0].id && m;
    }, 'the resent reply recorded');
    await settle((WATCH_SECONDS + 3) * 1000);
    expect((await harness.sendsTo(customer)).filter((e) => e.body?.text?.body === 'Here is your tracking number.')).toHaveLength(1);
  });

  it('looks again at a reply claimed a moment ago and left sending, reports it, and never sends it again', async () => {
    const customer = '15550007002';
    const first = await answeredCustomer(customer);
    await writeReply(first, 'out_watch_stuck', 'We are checking your order.', 'sending');
    await requestReply(first, 'out_watch_stuck');

    // Looked at again each round while the claim is recent, then reported after the last one.
    await eventually(
      async () => logged('reply left sending: its outcome was never recorded').length > 0 || undefined,
      'the watch reporting the unknown outcome',
      120_000,
    );
    expect(logged('reply claimed recently; looked at again later').length).toBeGreaterThanOrEqual(1);
    expect((await harness.sendsTo(customer)).filter((e) => e.body?.text?.body === 'We are checking your order.')).toEqual([]);
    expect((await harness.item(`CONV#${first.conversationKey}`, 'MSG#out_watch_stuck'))?.status).toBe('sending');
    // Ids only in the report: no customer number, no text.
    for (const line of logged('reply left sending')) {
      expect(line).not.toContain(customer);
      expect(line).not.toContain('checking your order');
    }
  });

  it('leaves replies sent normally alone', async () => {
    const customer = '15550007003';
    await answeredCustomer(customer);
    await settle((WATCH_SECONDS + 3) * 1000);
    expect(await harness.sendsTo(customer)).toHaveLength(1);
    expect(harness.deadLettered()).toEqual(Object.fromEntries(Object.keys(harness.deadLettered()).map((k) => [k, 0])));
  });
});
