import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import {
  LOCAL_INSTAGRAM_ACCOUNT_ID,
  LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID,
  LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER,
  LOCAL_WHATSAPP_PHONE_NUMBER_ID,
} from '#lib/local-cloud/graph-simulator/accounts';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';
import { eventually, LocalCloudHarness } from '#test/e2e/local-cloud-harness';

/**
 * Contacts and CRMs through the whole local cloud: customers write through the Graph API simulator
 * (or as Meta's signed webhook), the contacts consumer builds one contact per person, integrations
 * configured through the admin API deliver through the local EventBridge's API destinations to the
 * CRM simulator, and the CRM lookup feeds routing.
 */
const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);

let hubspotIntegrationId = '';

beforeAll(async () => {
  await harness.start({ tenants: openAllWeekLocalTenants() });
  // The business connects its CRMs before its customers write (the dispatcher and the lookup read a
  // business's integrations through a 30-second cache, as they would in AWS).
  const hubspot = await api(['admin'], 'POST', '/admin/integrations', {
    kind: 'hubspot',
    name: 'HubSpot',
    baseUrl: harness.crm.baseUrl('hubspot'),
    auth: { type: 'api_key', headerName: 'Authorization', apiKey: 'Bearer pat-local-e2e' },
    events: ['contact.updated', 'conversation.closed'],
    lookup: true,
  });
  expect(hubspot.status, JSON.stringify(hubspot.body)).toBe(201);
  hubspotIntegrationId = hubspot.body.integration.integrationId;
  const salesforce = await api(['admin'], 'POST', '/admin/integrations', {
    kind: 'salesforce',
    name: 'Salesforce',
    baseUrl: harness.crm.baseUrl('salesforce'),
    auth: {
      type: 'oauth_client_credentials',
      tokenUrl: `${harness.crm.baseUrl('salesforce')}/services/oauth2/token`,
      clientId: 'local-client',
      clientSecret: 'local-secret',
    },
    events: ['contact.updated', 'conversation.closed'],
  });
  expect(salesforce.status, JSON.stringify(salesforce.body)).toBe(201);
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

type Call = { status: number; body: Record<string, any> };
const tokens = new Map<string, string>();
async function api(roles: OperatorRole[], method: string, path: string, body?: unknown): Promise<Call> {
  const id = roles.join(',');
  if (!tokens.has(id)) tokens.set(id, await harness.operatorToken({ businessId: 'local', subject: `e2e-${roles[0]}`, roles }));
  const res = await fetch(`${harness.cloud.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens.get(id)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}
const waKey = (customer: string) => `wa:${LOCAL_WHATSAPP_PHONE_NUMBER_ID}:${customer}`;

async function contactOf(conversationKey: string): Promise<Record<string, any>> {
  return eventually(
    async () => {
      const res = await api(['agent'], 'GET', `/agent/conversations/${encodeURIComponent(conversationKey)}/contact`);
      return res.status === 200 ? res.body : undefined;
    },
    `the contact of ${conversationKey}`,
    30_000,
  );
}

/** Meta's click-to-WhatsApp webhook (the shape of a real one), signed, for the local number. */
function ctwaWebhook(customer: string, messageId: string, ad: { id: string; headline: string; clid: string }): string {
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
              metadata: { display_phone_number: LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER, phone_number_id: LOCAL_WHATSAPP_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: 'Renata Alves' }, wa_id: customer }],
              messages: [
                {
                  referral: {
                    source_url: 'https://fb.me/ad-spring-sale',
                    source_id: ad.id,
                    source_type: 'ad',
                    headline: ad.headline,
                    body: 'Frete grátis esta semana',
                    media_type: 'image',
                    image_url: 'https://scontent.example/ad.jpg',
                    ctwa_clid: ad.clid,
                  },
                  from: customer,
                  id: messageId,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: 'Oi! Vi o anúncio, ainda tem frete grátis?' },
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

/** Every record object (at any depth) in a CRM simulator's records that has a field equal to `value`. */
function recordsWith(records: unknown, value: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const walk = (node: unknown, owner?: Record<string, unknown>) => {
    if (Array.isArray(node)) for (const n of node) walk(n);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      for (const v of Object.values(obj)) {
        if (v === value) found.push(owner ?? obj);
        else walk(v, obj.properties === v ? obj : undefined);
      }
    }
  };
  walk(records);
  return [...new Set(found)];
}

describe('contacts: one customer across channels', () => {
  it('makes a customer who wrote on WhatsApp and later on Instagram one contact after a merge', async () => {
    const waCustomer = '5511987650101';
    const igCustomer = '9100000000000101';
    await harness.customerSays({ channel: 'whatsapp', customerId: waCustomer, name: 'Bruna Costa', text: 'oi, qual o prazo de entrega?' });
    await harness.customerSays({ channel: 'instagram', customerId: igCustomer, name: 'bruna.costa', text: 'oi! sou eu do whatsapp' });

    const onWhatsApp = await contactOf(waKey(waCustomer));
    const onInstagram = await contactOf(`ig:${LOCAL_INSTAGRAM_ACCOUNT_ID}:${igCustomer}`);
    expect(onWhatsApp.contactId).not.toBe(onInstagram.contactId);
    expect(onWhatsApp.phoneE164).toBe(`+${waCustomer}`);

    const merged = await api(['agent'], 'POST', `/agent/contacts/${encodeURIComponent(onWhatsApp.contactId)}/merge`, {
      otherContactId: onInstagram.contactId,
      reason: 'same person, said so on Instagram',
    });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);

    // Both conversations now lead to one contact holding both identities.
    const fromInstagram = await contactOf(`ig:${LOCAL_INSTAGRAM_ACCOUNT_ID}:${igCustomer}`);
    expect(fromInstagram.contactId).toBe(onWhatsApp.contactId);
    const kinds = (fromInstagram.identities as Array<{ kind: string; value: string }>).map((i) => `${i.kind}:${i.value}`);
    expect(kinds).toEqual(expect.arrayContaining([`whatsapp:${waCustomer}`, `instagram:${igCustomer}`]));
  }, 120_000);
});

describe('integrations: attribution into the CRMs, retries without duplicates, and the CRM lookup in routing', () => {
  it('carries a click-to-WhatsApp ad to the contact and to HubSpot and Salesforce, retrying a 500 without creating anything twice', async () => {
    // HubSpot answers 500 to the next two calls: EventBridge retries them.
    await harness.crm.fault({ crm: 'hubspot', status: 500, count: 2 });
    const customer = '5511987650202';
    const ad = {
      id: '120210000000000101',
      headline: 'Frete grátis na primavera',
      clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMXP',
    };
    const signed = await harness.postWebhook(ctwaWebhook(customer, `wamid.ctwa.${customer}`, ad));
    expect(signed.status).toBe(200);

    const contact = await eventually(
      async () => {
        const c = await contactOf(waKey(customer));
        return c.firstTouch?.adId ? c : undefined;
      },
      'the first touch on the contact',
      30_000,
    );
    expect(contact.firstTouch).toMatchObject({ channel: 'whatsapp', source: 'ad', adId: ad.id, headline: ad.headline, ctwaClid: ad.clid });

    const inHubSpot = await eventually(
      async () => {
        const found = recordsWith(await harness.crm.records('hubspot'), ad.id);
        return found.length > 0 ? found : undefined;
      },
      'the HubSpot contact with the ad',
      60_000,
    );
    const inSalesforce = await eventually(
      async () => {
        const found = recordsWith(await harness.crm.records('salesforce'), ad.id);
        return found.length > 0 ? found : undefined;
      },
      'the Salesforce Contact with the ad',
      60_000,
    );
    // One record each, however many deliveries and retries it took.
    expect(inHubSpot).toHaveLength(1);
    expect(inSalesforce).toHaveLength(1);
    expect(JSON.stringify(inHubSpot[0])).toContain(ad.clid);
    expect(JSON.stringify(inSalesforce[0])).toContain(ad.headline);
    const hubspotCalls = (await harness.crm.outbox('hubspot')).filter((e: any) => String(e.path ?? '').includes('contacts/batch/upsert'));
    expect(hubspotCalls.some((e: any) => e.status === 500)).toBe(true);

    // Every delivery is in the integration's log; none was dead-lettered.
    const log = await api(['admin'], 'GET', `/admin/integrations/${encodeURIComponent(hubspotIntegrationId)}/deliveries`);
    expect(log.status).toBe(200);
    expect((log.body.items ?? log.body.deliveries ?? []).some((d: any) => d.status === 'dead_lettered')).toBe(false);
  }, 180_000);

  it('routes a customer the CRM marks VIP to the VIP queue', async () => {
    const customer = '5511987650303';
    // The business's HubSpot already knows this customer as VIP.
    const seeded = await fetch(`${harness.crm.baseUrl('hubspot')}/crm/v3/objects/contacts/batch/upsert`, {
      method: 'POST',
      headers: { authorization: 'Bearer pat-local-e2e', 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [
          {
            idProperty: 'omnichannel_contact_id',
            id: 'crm-vip-303',
            properties: { firstname: 'Vera', lastname: 'Importante', phone: `+${customer}`, omnichannel_vip: 'true' },
          },
        ],
      }),
    });
    expect(seeded.status, await seeded.clone().text()).toBeLessThan(300);

    await harness.customerSays({ channel: 'whatsapp', customerId: customer, name: 'Vera', text: 'oi, tudo bem?' });
    const contact = await eventually(
      async () => {
        const c = await contactOf(waKey(customer));
        return (c.tags as string[] | undefined)?.includes('vip') ? c : undefined;
      },
      'the VIP tag from the CRM lookup',
      30_000,
    );
    expect(contact.crmIds?.hubspot).toBeTruthy();

    await harness.customerSays({ channel: 'whatsapp', customerId: customer, text: 'quero falar com um atendente' });
    const routed = await eventually(
      async () => {
        const conversation = await harness.item(`CONV#${waKey(customer)}`, 'CONV');
        return conversation?.queueId ? conversation : undefined;
      },
      'the handoff to be queued',
      45_000,
    );
    expect(routed.queueId).toBe('vip');
  }, 180_000);
});
