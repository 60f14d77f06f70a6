import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerChannelAccountIfAbsent } from '#lambdas/accounts/channel-account';
import {
  LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID as WABA,
  LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER,
  LOCAL_WHATSAPP_PHONE_NUMBER_ID as PHONE,
} from '#lib/local-cloud/graph-simulator/accounts';
import { eventually, LocalCloudHarness } from '#test/e2e/local-cloud-harness';

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
let token = '';

beforeAll(async () => {
  await harness.start();
  // An admin of the local business (sync needs admin; send, agent).
  token = await harness.operatorToken({ roles: ['admin'] });
  await registerChannelAccountIfAbsent(harness.db, harness.cloud.tableName, {
    accountId: PHONE,
    channel: 'whatsapp',
    businessId: 'local',
    wabaId: WABA,
    status: 'active',
  });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

async function templatesApi(method: 'GET' | 'POST', path: string, body?: unknown, auth = `Bearer ${token}`) {
  const res = await fetch(`${harness.cloud.apiUrl}${path}`, {
    method,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A customer message two days old: recorded, unanswered, and the 24-hour window is closed. */
async function customerWroteTwoDaysAgo(customerId: string): Promise<void> {
  const at = Math.floor(Date.now() / 1000) - 2 * 86_400;
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER, phone_number_id: PHONE },
              contacts: [{ profile: { name: 'Old Customer' }, wa_id: customerId }],
              messages: [{ from: customerId, id: `wamid.templates-e2e-${customerId}`, timestamp: String(at), type: 'text', text: { body: 'hello' } }],
            },
          },
        ],
      },
    ],
  });
  expect((await harness.postWebhook(body)).status).toBe(200);
  await eventually(async () => (await harness.item(`CONV#wa:${PHONE}:${customerId}`, 'CONV'))?.lastInboundAt, 'the old message recorded');
}

const deliveryUpdate = (customerId: string, requestId: string, variables: Record<string, unknown>) => ({
  accountId: PHONE,
  customerId,
  name: 'delivery_update',
  language: 'en_US',
  requestId,
  variables,
});
const fullVariables = { header: ['A-1'], body: ['A-1', 'Friday'], buttons: { '0': 'A-1' } };

describe('WhatsApp templates through the local cloud', () => {
  it('refuses the API without a valid access token carrying the templates scope', async () => {
    const refused = async (auth: string) => {
      const res = await templatesApi('POST', '/templates/sync', { wabaId: WABA }, auth);
      return { status: res.status, body: res.body };
    };
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    expect(await refused('Bearer wrong')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    // API Gateway's JWT authoriser, emulated locally: expired, foreign-signed, or lacking the route's scope.
    expect(await refused(`Bearer ${await harness.operatorToken({ roles: ['admin'], issuedAt: hourAgo - 60, expiresIn: 60 })}`)).toEqual({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    expect(await refused(`Bearer ${await harness.operatorTokenSignedByAnotherKey({ roles: ['admin'] })}`)).toEqual({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    expect(await refused(`Bearer ${await harness.operatorToken({ roles: ['admin'], scopes: ['omnichannel/agent'] })}`)).toEqual({
      status: 403,
      body: { message: 'Forbidden' },
    });
  });

  it('syncs, sends, refuses with reasons, and follows a status webhook', async () => {
    const synced = await templatesApi('POST', '/templates/sync', { wabaId: WABA });
    expect(synced).toMatchObject({ status: 200, body: { listed: 5, markedDeleted: 0 } });
    const listed = await templatesApi('GET', `/templates?wabaId=${WABA}`);
    expect(listed.body.templates.map((t: { name: string; language: string }) => `${t.name}/${t.language}`).sort()).toEqual([
      'appointment_reminder/en_US',
      'delivery_update/en_US',
      'delivery_update/es',
      'summer_offer/en_US',
      'welcome_back/en_US',
    ]);

    // A utility template reaches a customer whose window closed two days ago, and is delivered.
    const customer = '15550000701';
    await customerWroteTwoDaysAgo(customer);
    const accepted = await templatesApi('POST', '/templates/send', deliveryUpdate(customer, 'e2e-1', fullVariables));
    expect(accepted).toMatchObject({ status: 202, body: { conversationKey: `wa:${PHONE}:${customer}`, repeated: false } });
    const [send] = await eventually(async () => {
      const sends = await harness.sendsTo(customer);
      return sends.length > 0 ? sends : undefined;
    }, 'the template sent through Graph');
    expect(send!.status).toBe(200);
    expect(send!.body).toMatchObject({ type: 'template', template: { name: 'delivery_update', language: { code: 'en_US' } } });
    await eventually(async () => {
      const item = await harness.item(`CONV#wa:${PHONE}:${customer}`, `MSG#${accepted.body.messageId}`);
      return item?.status === 'delivered' || item?.status === 'read' ? item : undefined;
    }, 'the template delivered');

    // Marketing without an opt-in, and a missing variable: refused before anything is written.
    const marketing = await templatesApi('POST', '/templates/send', {
      accountId: PHONE,
      customerId: '15550000702',
      name: 'summer_offer',
      language: 'en_US',
      requestId: 'e2e-2',
      variables: { headerMedia: { link: 'https://example.com/offer.png' }, body: ['Ana', 'SUMMER20'], buttons: { '0': 'SUMMER20' } },
    });
    expect(marketing).toMatchObject({ status: 409, body: { error: 'marketing_opt_in_missing' } });
    const missing = await templatesApi('POST', '/templates/send', deliveryUpdate(customer, 'e2e-3', { header: ['A-1'], buttons: { '0': 'A-1' } }));
    expect(missing).toMatchObject({ status: 422, body: { error: 'template_variables_invalid', component: 'body' } });
    expect(missing.body.message).toMatch(/body needs 2 variables/);

    // Meta pauses the template: the webhook reaches the stored template and sends are refused.
    await new Promise((r) => setTimeout(r, 1_100));
    const paused = await fetch(`${harness.cloud.graphUrl}/_sim/templates`, {
      method: 'POST',
      body: JSON.stringify({ wabaId: WABA, name: 'delivery_update', language: 'en_US', status: 'PAUSED' }),
    });
    expect(paused.status).toBe(200);
    await eventually(async () => {
      const item = await harness.item(`WABA#${WABA}`, 'TEMPLATE#delivery_update#en_US');
      return item?.status === 'PAUSED' ? item : undefined;
    }, 'the template paused by its webhook');
    const refused = await templatesApi('POST', '/templates/send', deliveryUpdate(customer, 'e2e-4', fullVariables));
    expect(refused).toMatchObject({ status: 409, body: { error: 'template_not_approved', templateStatus: 'PAUSED' } });
    expect(await harness.sendsTo(customer)).toHaveLength(1);
  }, 180_000);
});
