import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalTenant } from '#lib/local-cloud/local-tenants';
import { eventually, LocalCloudHarness, settle, type OutboxEntry } from '#test/e2e/local-cloud-harness';

/** Two businesses side by side, each with two WhatsApp numbers, one Instagram account and its own token. */
const ACME: LocalTenant = {
  businessId: 'acme',
  accessToken: 'TOKEN-ACME',
  whatsapp: [
    {
      wabaId: '200000000000101',
      numbers: [
        { phoneNumberId: '100000000000101', displayPhoneNumber: '15550000101' },
        { phoneNumberId: '100000000000102', displayPhoneNumber: '15550000102' },
      ],
    },
  ],
  instagramAccountIds: ['17841400000000101'],
  botSettings: 'demo',
};
const GLOBEX: LocalTenant = {
  businessId: 'globex',
  accessToken: 'TOKEN-GLOBEX',
  whatsapp: [
    {
      wabaId: '200000000000201',
      numbers: [
        { phoneNumberId: '100000000000201', displayPhoneNumber: '15550000201' },
        { phoneNumberId: '100000000000202', displayPhoneNumber: '15550000202' },
      ],
    },
  ],
  instagramAccountIds: ['17841400000000201'],
  botSettings: 'demo',
};

/** A customer writing to one account; some customers write to both businesses with the same id. */
const CONTACTS = [
  { channel: 'whatsapp' as const, accountId: '100000000000101', customerId: '15550001001', prefix: 'wa' },
  { channel: 'whatsapp' as const, accountId: '100000000000201', customerId: '15550001001', prefix: 'wa' },
  { channel: 'whatsapp' as const, accountId: '100000000000102', customerId: '15550001002', prefix: 'wa' },
  { channel: 'whatsapp' as const, accountId: '100000000000202', customerId: '15550001002', prefix: 'wa' },
  { channel: 'instagram' as const, accountId: '17841400000000101', customerId: '6100000000001001', prefix: 'ig' },
  { channel: 'instagram' as const, accountId: '17841400000000201', customerId: '6100000000001001', prefix: 'ig' },
];

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);

beforeAll(async () => {
  await harness.start({ tenants: [ACME, GLOBEX] });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

async function customerWrites(contact: (typeof CONTACTS)[number], text: string): Promise<void> {
  const res = await fetch(`${harness.cloud.graphUrl}/_sim/customer/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: contact.channel, accountId: contact.accountId, customerId: contact.customerId, name: 'Tenancy Customer', text }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Replies (mark-as-read excluded) the business sent to one customer from one account. */
function repliesFrom(outbox: OutboxEntry[], accountId: string, customerId: string): OutboxEntry[] {
  return outbox.filter(
    (e) =>
      e.method === 'POST' &&
      e.path.endsWith(`/${accountId}/messages`) &&
      e.body?.status !== 'read' &&
      (e.body?.to === customerId || e.body?.recipient?.id === customerId),
  );
}

describe('two businesses on one deployment', () => {
  it('registers every account with its business and token secret', async () => {
    for (const tenant of [ACME, GLOBEX]) {
      for (const owner of [tenant.whatsapp![0]!.wabaId, tenant.instagramAccountIds![0]!]) {
        const secret = harness.cloud.aws.secrets.getSecretValue(`Omnichannel-local/account-tokens/${owner}`);
        expect(JSON.parse(String(secret.secretString))).toEqual({ accessToken: tenant.accessToken });
      }
    }
    const number = await harness.item('ACCT#100000000000202', 'ACCOUNT');
    expect(number).toMatchObject({
      businessId: 'globex',
      wabaId: '200000000000201',
      status: 'active',
      tokenSecretId: 'Omnichannel-local/account-tokens/200000000000201',
    });
  });

  it('answers every customer from the account they wrote to, with its own business token, in its own conversation', async () => {
    for (const contact of CONTACTS) await customerWrites(contact, 'hola');
    const outbox = await eventually(
      async () => {
        const entries = await harness.outbox();
        return CONTACTS.every((c) => repliesFrom(entries, c.accountId, c.customerId).length >= 1) && entries;
      },
      'a reply to each of the six conversations',
      120_000,
    );

    // Each account only accepts its business's token: a send with the other business's token would
    // have been refused with Meta's 100/33. None was.
    const sends = outbox.filter((e) => e.method === 'POST' && e.path.endsWith('/messages'));
    expect(sends.filter((e) => e.status !== 200)).toEqual([]);

    for (const contact of CONTACTS) {
      const replies = repliesFrom(outbox, contact.accountId, contact.customerId);
      expect(replies.length, `${contact.accountId} → ${contact.customerId}`).toBeGreaterThanOrEqual(1);
      const key = `${contact.prefix}:${contact.accountId}:${contact.customerId}`;
      const items = await eventually(
        async () => {
          const all = await harness.conversationItems(key);
          return all.some((i) => i.entity === 'Message' && i.direction === 'outbound' && i.status !== 'pending') && all;
        },
        `the reply recorded in ${key}`,
        60_000,
      );
      expect(items.find((i) => i.entity === 'Conversation')).toMatchObject({ accountId: contact.accountId, customerId: contact.customerId });
      const inbound = items.filter((i) => i.entity === 'Message' && i.direction === 'inbound');
      expect(inbound).toHaveLength(1);
    }
    // The same customer of two businesses has two conversations and two separate replies.
    const both = CONTACTS.filter((c) => c.customerId === '15550001001');
    expect(new Set(both.map((c) => repliesFrom(outbox, c.accountId, c.customerId)[0]!.response?.messages?.[0]?.id)).size).toBe(2);
  });

  it('quarantines and never answers an event for a number nobody registered', async () => {
    const unknownNumber = '100000000000999';
    const customer = '15550001099';
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '200000000000999',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000999', phone_number_id: unknownNumber },
                contacts: [{ profile: { name: 'Stranger' }, wa_id: customer }],
                messages: [
                  { from: customer, id: 'wamid.TENANCY-UNKNOWN', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'hola' } },
                ],
              },
            },
          ],
        },
      ],
    });
    expect((await harness.postWebhook(body)).status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const quarantined = await eventually(async () => {
      const items = await harness.quarantinedOn(today);
      return items.find((q) => q.eventId === 'wa:msg:wamid.TENANCY-UNKNOWN');
    }, 'the quarantined event');
    expect(quarantined).toMatchObject({ reason: 'unknown_account', channel: 'whatsapp' });
    await settle(3_000);
    expect(await harness.sendsTo(customer)).toEqual([]);
    expect(await harness.conversationItems(`wa:${unknownNumber}:${customer}`)).toEqual([]);
  });

  it("keeps each business's account health on its own registry items", async () => {
    const change = (wabaId: string, field: string, value: Record<string, unknown>) =>
      JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }] });
    const upgrade = change('200000000000101', 'phone_number_quality_update', {
      display_phone_number: '15550000102',
      event: 'THROUGHPUT_UPGRADE',
      current_limit: 'TIER_UNLIMITED',
    });
    const restriction = change('200000000000201', 'account_update', {
      event: 'ACCOUNT_RESTRICTION',
      restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1893456000 }],
    });
    for (const body of [upgrade, restriction]) expect((await harness.postWebhook(body)).status).toBe(200);

    const number = await eventually(
      async () => {
        const item = await harness.item('ACCT#100000000000102', 'ACCOUNT');
        return item?.throughputPerSecond === 1000 && item;
      },
      "ACME's second number upgraded to the higher throughput",
      60_000,
    );
    expect(number).toMatchObject({ qualityEvent: 'THROUGHPUT_UPGRADE', businessId: 'acme' });
    expect(number).not.toHaveProperty('messagingLimitTier');
    const waba = await eventually(
      async () => {
        const item = await harness.item('WABA#200000000000201', 'WABA');
        return item?.status === 'restricted' && item;
      },
      "Globex's WABA restricted",
      60_000,
    );
    expect(waba).toMatchObject({ accountStanding: 'restricted', restrictionTypes: 'RESTRICTED_BIZ_INITIATED_MESSAGING' });
    // The other business and the other number are untouched.
    expect(await harness.item('WABA#200000000000101', 'WABA')).toMatchObject({ status: 'active' });
    expect(await harness.item('WABA#200000000000101', 'WABA')).not.toHaveProperty('accountStanding');
    expect(await harness.item('ACCT#100000000000101', 'ACCOUNT')).not.toHaveProperty('throughputPerSecond');
  });

  it('leaves nothing in any dead-letter queue', () => {
    const counts = harness.deadLettered();
    expect(counts).toEqual(Object.fromEntries(Object.keys(counts).map((k) => [k, 0])));
  });
});
