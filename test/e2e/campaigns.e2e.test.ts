import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { campaignMessageId } from '#lambdas/campaigns/campaign-keys';
import type { Campaign } from '#lambdas/campaigns/campaign-model';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { CAMPAIGN_TUNING_ENV } from '#lambdas/campaigns/campaign-wiring';
import {
  LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID as WABA,
  LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER as DISPLAY,
  LOCAL_WHATSAPP_PHONE_NUMBER_ID as PHONE,
} from '#lib/local-cloud/graph-simulator/accounts';
import { eventually, LocalCloudHarness, type OutboxEntry } from '#test/e2e/local-cloud-harness';

/**
 * A marketing campaign end to end through the local cloud: contacts with and without consent, the
 * admin API, the release loop at the number's pace, the campaign sender, Meta's receipts moving
 * the counts, a quality drop (Meta's `phone_number_quality_update` FLAGGED) pausing it, a refused
 * and then an accepted resume, and a customer's reply counted and answered like any message.
 */
const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
const BUSINESS = 'local';
let token = '';

// The number sends 1 msg/s and the campaign takes half of it: one recipient per tick of 3 s.
const TICK_SECONDS = 3;
const customers = {
  // Twelve ticks' worth: a quality drop arriving after the first sends finds the list unfinished.
  optedIn: Array.from({ length: 12 }, (_, i) => `55119700001${String(i).padStart(2, '0')}`),
  optedOut: ['5511970000011', '5511970000012'],
  noConsent: ['5511970000021'],
};

beforeAll(async () => {
  await harness.start({
    extraEnvironment: { [CAMPAIGN_TUNING_ENV.tickSeconds]: String(TICK_SECONDS) },
    // The watchdog (rolling counts up every minute) every 3 s.
    scheduleIntervalScale: 0.05,
  });
  token = await harness.operatorToken({ roles: ['admin'] });
  await harness.db.send(
    new UpdateCommand({
      TableName: harness.cloud.tableName,
      Key: { pk: `ACCT#${PHONE}`, sk: 'ACCOUNT' },
      UpdateExpression: 'SET throughputPerSecond = :one, qualityRating = :green, messagingLimitTier = :tier',
      ExpressionAttributeValues: { ':one': 1, ':green': 'GREEN', ':tier': 'TIER_1K' },
    }),
  );
  // The templates Meta approved for the number's WhatsApp Business Account (summer_offer: marketing, image header, a code to copy).
  expect((await api('POST', '/templates/sync', { wabaId: WABA })).status).toBe(200);

  // Contacts: twelve opted in (one of them twice, as a second contact with the same number), two opted out, one never asked.
  const contacts = dynamoContactStore({ db: harness.db, tableName: harness.cloud.tableName });
  const at = new Date().toISOString();
  const seed = async (waId: string, name: string, consent: 'opted_in' | 'opted_out' | undefined, kind: 'whatsapp' | 'phone' = 'whatsapp') => {
    const { contact } = await contacts.resolve(BUSINESS, [{ kind, value: kind === 'phone' ? `+${waId}` : waId, accountId: PHONE }], {
      name,
      nameSource: 'operator',
      at,
    });
    const tagged = await contacts.update(BUSINESS, contact.contactId, undefined, { tags: { add: ['vip'] } }, at);
    expect(tagged.ok).toBe(true);
    if (consent) {
      const recorded = await contacts.recordConsent(BUSINESS, contact.contactId, 'whatsapp', waId, {
        status: consent,
        scope: 'marketing',
        at,
        source: 'import',
        accountId: PHONE,
      });
      expect(recorded.ok).toBe(true);
    }
  };
  for (const [i, waId] of customers.optedIn.entries()) await seed(waId, `Cliente ${i + 1}`, 'opted_in');
  await seed(customers.optedIn[0]!, 'Cliente 1 (CRM)', 'opted_in', 'phone');
  for (const waId of customers.optedOut) await seed(waId, 'No Promos', 'opted_out');
  for (const waId of customers.noConsent) await seed(waId, 'Never Asked', undefined);
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${harness.cloud.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

const campaignSends = async (campaignId: string): Promise<OutboxEntry[]> =>
  (await harness.outbox()).filter((e) => e.body?.type === 'template' && String(e.body?.biz_opaque_callback_data ?? '').startsWith(`cmp.${campaignId}.`));

async function qualityWebhook(event: 'FLAGGED' | 'UNFLAGGED'): Promise<void> {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA,
        time: Math.floor(Date.now() / 1000),
        changes: [{ field: 'phone_number_quality_update', value: { display_phone_number: DISPLAY, event, current_limit: 'TIER_1K' } }],
      },
    ],
  });
  expect((await harness.postWebhook(body)).status).toBe(200);
  await eventually(async () => (await harness.item(`ACCT#${PHONE}`, 'ACCOUNT'))?.qualityFlagged === (event === 'FLAGGED'), `the number ${event.toLowerCase()}`);
}

const get = async (id: string): Promise<Campaign> => (await api('GET', `/admin/campaigns/get?id=${id}`)).body as Campaign;

describe('a marketing campaign through the local cloud', () => {
  let campaign: Campaign;

  it('is created and scheduled through the admin API, its list holding only opted-in customers, once each', async () => {
    const created = await api('POST', '/admin/campaigns', {
      name: 'Summer offer',
      accountId: PHONE,
      template: { name: 'summer_offer', language: 'en_US', headerMediaLink: 'https://shop.example/summer.jpg' },
      audience: {
        kind: 'contacts',
        tags: ['vip'],
        variables: {
          '1': { from: 'contact', field: 'first_name', fallback: 'amigo' },
          '2': { from: 'text', value: 'SUMMER20' },
          'button.0': { from: 'text', value: 'SUMMER20' },
        },
      },
      rateShare: 0.5,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const scheduled = await api('POST', `/admin/campaigns/schedule?id=${created.body.campaignId}`, { expectedVersion: created.body.version });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    expect(scheduled.body.list).toMatchObject({ status: 'building' });
    // The list is built off the request, by the release function.
    campaign = await eventually(
      async () => {
        const c = await get(scheduled.body.campaignId);
        return c.list?.status === 'ready' && c;
      },
      'the list built',
      60_000,
    );
    expect(campaign.counts).toMatchObject({ targeted: customers.optedIn.length, skipped: { opted_out: 2, no_consent: 1, duplicate: 1 } });
  });

  it("releases at the number's pace, one template per opted-in customer, until a quality drop pauses it", async () => {
    await eventually(
      async () => {
        const sends = await campaignSends(campaign.campaignId);
        return sends.length >= 1 && sends;
      },
      'the first send',
      60_000,
    );
    // A FLAGGED quality update (Meta's word that the rating fell to low) arrives after the first tick.
    await qualityWebhook('FLAGGED');
    const paused = await eventually(
      async () => {
        const c = await get(campaign.campaignId);
        return c.state === 'paused' && c;
      },
      'the campaign paused itself',
      60_000,
    );
    expect(paused.pauseReason).toBe('quality_red');
    const sent = await campaignSends(campaign.campaignId);
    expect(sent.length).toBeLessThan(customers.optedIn.length);
    // Paced: one send a second at most (the number's limit), never a burst.
    const times = sent.map((e) => Date.parse(e.receivedAt)).sort((a, b) => a - b);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((sent.length - 1) * 900);
  });

  it('refuses a resume while the number is flagged, and goes on to the end once it is not', async () => {
    const refused = await api('POST', `/admin/campaigns/resume?id=${campaign.campaignId}`, {});
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'quality_red' });
    await qualityWebhook('UNFLAGGED');
    const resumed = await api('POST', `/admin/campaigns/resume?id=${campaign.campaignId}`, {});
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    await eventually(async () => (await get(campaign.campaignId)).state === 'completed', 'the campaign completed', 90_000);
    const sends = await eventually(
      async () => {
        const s = await campaignSends(campaign.campaignId);
        return s.length >= customers.optedIn.length && s;
      },
      'every send made',
      60_000,
    );
    // Exactly one template per opted-in customer; none to those who opted out or never opted in.
    expect(sends.map((e) => e.body.to).sort()).toEqual([...customers.optedIn].sort());
    for (const waId of [...customers.optedOut, ...customers.noConsent]) expect(await harness.sendsTo(waId)).toEqual([]);
    expect(sends[0]!.body.template).toMatchObject({ name: 'summer_offer', language: { code: 'en_US' } });
    expect(sends.every((e) => e.body.biz_opaque_callback_data === campaignMessageId(campaign.campaignId, e.body.to))).toBe(true);
  });

  it("moves the counts with Meta's receipts", async () => {
    const counts = await eventually(
      async () => {
        const c = await get(campaign.campaignId);
        return c.counts.read === customers.optedIn.length && c.counts;
      },
      'sent, delivered and read counted',
      60_000,
    );
    const n = customers.optedIn.length;
    expect(counts).toMatchObject({ targeted: n, released: n, sent: n, delivered: n, read: n, failed: 0 });
  });

  it('counts a reply once, and the bot answers it like any customer message', async () => {
    const customer = customers.optedIn[1]!;
    const before = (await harness.sendsTo(customer)).length;
    await harness.customerSays({ channel: 'whatsapp', customerId: customer, text: 'Hola, me interesa la oferta' });
    await harness.customerSays({ channel: 'whatsapp', customerId: customer, text: '¿Hasta cuándo vale?' });
    const answered = await eventually(
      async () => {
        const sends = await harness.sendsTo(customer);
        return sends.length > before && sends.slice(before);
      },
      'the bot answered',
      60_000,
    );
    expect(answered.some((e) => e.body.type !== 'template')).toBe(true);
    const counts = await eventually(
      async () => {
        const c = await get(campaign.campaignId);
        return c.counts.replied >= 1 && c.counts;
      },
      'the reply counted',
      60_000,
    );
    expect(counts.replied).toBe(1);
    const recipients = await api('GET', `/admin/campaigns/recipients?id=${campaign.campaignId}`);
    expect(recipients.body.items.find((r: { waId: string }) => r.waId === customer)).toMatchObject({ replied: true });
  });

  it('leaves nothing in any dead-letter queue', () => {
    const counts = harness.deadLettered();
    expect(counts).toEqual(Object.fromEntries(Object.keys(counts).map((k) => [k, 0])));
  });
});
