import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSalesforceRoutes } from '#lib/local-cloud/crm-simulator/salesforce-routes';
import { salesforceOrgWithSetup } from '#lib/local-cloud/crm-simulator/salesforce-record-store';
import { salesforceMapper } from '#lambdas/integrations/mappers/salesforce';
import { soqlString } from '#lambdas/integrations/lookup/salesforce-lookup';
import { contact, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';
import { deliver, serveCrmRoutes, type CrmRouteServer } from '#test/unit/local-cloud/crm-simulator/serve-crm-routes';
import { CRM_PROBES, testCall } from '#lambdas/integrations/api/test-call';
import { credentialHeaders } from '#lambdas/integrations/credential-headers';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import { integration } from '#test/unit/integrations/mappers/crm-mapper-fixtures';

const CLIENT = { clientId: '3MVG9local', clientSecret: 'local-secret-1' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('Salesforce simulator routes', () => {
  let now = Date.parse('2026-12-07T12:00:00.000Z');
  const routes = createSalesforceRoutes({ clients: [CLIENT], clock: () => now });
  let server: CrmRouteServer;
  let auth: Record<string, string>;

  const tokenRequest = (init: { body: string; authorization?: string }) =>
    fetch(`${server.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(init.authorization ? { authorization: init.authorization } : {}) },
      body: init.body,
    });

  beforeAll(async () => {
    server = await serveCrmRoutes(routes.handle);
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    routes.store.reset();
    const res = await tokenRequest({ body: 'grant_type=client_credentials', authorization: basic(CLIENT.clientId, CLIENT.clientSecret) });
    auth = { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
  });

  const query = async (soql: string) => {
    const res = await fetch(`${server.url}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`, { headers: auth });
    return { status: res.status, body: (await res.json()) as { totalSize: number; records: Array<Record<string, unknown>> } & Array<{ errorCode: string }> };
  };

  it('issues client-credentials tokens (HTTP Basic or form) and refuses bad clients as Salesforce does', async () => {
    const form = await tokenRequest({ body: `grant_type=client_credentials&client_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}` });
    expect(form.status).toBe(200);
    expect(await form.json()).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', instance_url: expect.any(String), scope: 'api' });

    const badSecret = await tokenRequest({ body: 'grant_type=client_credentials', authorization: basic(CLIENT.clientId, 'nope') });
    expect(badSecret.status).toBe(400);
    expect(await badSecret.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
    const badClient = await tokenRequest({ body: 'grant_type=client_credentials', authorization: basic('someone', 'x') });
    expect(await badClient.json()).toMatchObject({ error: 'invalid_client_id' });
    const badGrant = await tokenRequest({ body: 'grant_type=password', authorization: basic(CLIENT.clientId, CLIENT.clientSecret) });
    expect(await badGrant.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('refuses data calls without a live session', async () => {
    const [contactUpsert] = salesforceMapper.map(mapperInput('salesforce'));
    const none = await deliver(server.url, contactUpsert!, {});
    expect(none.status).toBe(401);
    expect(none.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    now += 3 * 60 * 60_000;
    expect((await deliver(server.url, contactUpsert!, auth)).status).toBe(401);
    now -= 3 * 60 * 60_000;
  });

  it('upserts by External ID: the same deliveries twice leave one Contact and one Case, linked', async () => {
    const requests = salesforceMapper.map(mapperInput('salesforce'));
    const first = [];
    for (const r of requests) first.push(await deliver(server.url, r, auth));
    expect(first.map((r) => r.status)).toEqual([201, 201]);
    expect(first[0]!.body).toMatchObject({ success: true, created: true, errors: [] });
    const second = [];
    for (const r of requests) second.push(await deliver(server.url, r, auth));
    expect(second.map((r) => r.status)).toEqual([200, 200]);
    expect(second.map((r) => (r.body as { id: string }).id)).toEqual(first.map((r) => (r.body as { id: string }).id));

    expect(routes.store.count('Contact')).toBe(1);
    expect(routes.store.count('Case')).toBe(1);
    const [person] = routes.store.records('Contact');
    const [kase] = routes.store.records('Case');
    expect(person).toMatchObject({ Name: 'María José da Silva', MobilePhone: '+5511987654321', Omnichannel_Contact_Id__c: contact().contactId });
    expect(kase).toMatchObject({ ContactId: person!.Id, Status: 'Closed', IsClosed: true, Reason: 'Resolved', Omnichannel_CSAT__c: 5 });
  });

  it('refuses a Case whose Contact does not exist yet (deliveries are unordered: the next event heals it)', async () => {
    const [, caseUpsert] = salesforceMapper.map(mapperInput('salesforce'));
    const res = await deliver(server.url, caseUpsert!, auth);
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {
        message: `Foreign key external ID: ${contact().contactId} not found for field Omnichannel_Contact_Id__c in entity Contact`,
        errorCode: 'INVALID_FIELD',
        fields: [],
      },
    ]);
    expect(routes.store.count('Case')).toBe(0);
  });

  it('answers field errors with Salesforce’s codes', async () => {
    const patch = (path: string, body: unknown) =>
      deliver(server.url, { method: 'PATCH', path: `/services/data/v62.0/sobjects/${path}`, body, idempotencyKey: 'k' }, auth);
    const code = async (p: ReturnType<typeof patch>) => ((await p).body as Array<{ errorCode: string }>)[0]!.errorCode;
    expect(await code(patch('Contact/Omnichannel_Contact_Id__c/c_1', { FirstName: 'Ana' }))).toBe('REQUIRED_FIELD_MISSING');
    expect(await code(patch('Contact/Omnichannel_Contact_Id__c/c_1', { LastName: 'x'.repeat(81) }))).toBe('STRING_TOO_LONG');
    expect(await code(patch('Contact/Omnichannel_Contact_Id__c/c_1', { LastName: 'Ana', Nope__c: 1 }))).toBe('INVALID_FIELD');
    expect(await code(patch('Contact/Omnichannel_Contact_Id__c/c_1', { LastName: 'Ana', Name: 'x' }))).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(await code(patch('Case/Omnichannel_Conversation_Id__c/cv_1', { Omnichannel_CSAT__c: 'five' }))).toBe('JSON_PARSER_ERROR');
    expect((await patch('Contact/LastName/Ana', { FirstName: 'x' })).status).toBe(404);
    expect((await patch('User/Omnichannel_Contact_Id__c/c_1', { LastName: 'x' })).status).toBe(404);

    const org = salesforceOrgWithSetup();
    delete org.Contact.Omnichannel_CTWA_Clid__c;
    const bare = createSalesforceRoutes({ clients: [CLIENT], schema: org, clock: () => now });
    const token = (
      bare.handle({
        method: 'POST',
        path: '/services/oauth2/token',
        query: {},
        headers: { authorization: basic(CLIENT.clientId, CLIENT.clientSecret) },
        body: 'grant_type=client_credentials',
      })!.body as { access_token: string }
    ).access_token;
    const [contactUpsert] = salesforceMapper.map(mapperInput('salesforce'));
    const res = bare.handle({
      method: 'PATCH',
      path: contactUpsert!.path,
      query: {},
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify(contactUpsert!.body),
    })!;
    expect(res.body).toEqual([{ message: "No such column 'Omnichannel_CTWA_Clid__c' on sobject of type Contact", errorCode: 'INVALID_FIELD' }]);
  });

  it('answers 300 with the records when an external id matches more than one', async () => {
    routes.store.seed('Contact', { LastName: 'A', Omnichannel_Contact_Id__c: 'c_dup' });
    routes.store.seed('Contact', { LastName: 'B', Omnichannel_Contact_Id__c: 'C_DUP' });
    const res = await deliver(
      server.url,
      { method: 'PATCH', path: '/services/data/v62.0/sobjects/Contact/Omnichannel_Contact_Id__c/c_dup', body: { LastName: 'C' }, idempotencyKey: 'k' },
      auth,
    );
    expect(res.status).toBe(300);
    expect(res.body).toHaveLength(2);
  });

  it('runs SOQL selects; an escaped literal stays a value, an unescaped quote breaks the query', async () => {
    routes.store.seed('Contact', { FirstName: 'Ana', LastName: 'Souza', Phone: '+5511911111111' }, '2026-01-01T00:00:00.000Z');
    routes.store.seed('Contact', { LastName: 'Lima', MobilePhone: '+5511922222222', Omnichannel_VIP__c: true }, '2026-01-02T00:00:00.000Z');

    const found = await query(
      "SELECT Id, Name, Omnichannel_VIP__c FROM Contact WHERE Phone = '+5511911111111' OR MobilePhone = '+5511922222222' ORDER BY CreatedDate DESC LIMIT 5",
    );
    expect(found.status).toBe(200);
    expect(found.body.records.map((r) => r.Name)).toEqual(['Lima', 'Ana Souza']);
    expect(found.body.records[0]).toMatchObject({ attributes: { type: 'Contact' }, Omnichannel_VIP__c: true });

    const hostile = "x' OR LastName != 'y";
    const escaped = await query(`SELECT Id FROM Contact WHERE LastName = ${soqlString(hostile)}`);
    expect(escaped.status).toBe(200);
    expect(escaped.body.totalSize).toBe(0);
    // The same value pasted in raw turns into a condition that matches every contact.
    const raw = await query(`SELECT Id FROM Contact WHERE LastName = '${hostile}'`);
    expect(raw.body.totalSize).toBe(2);

    const broken = await query(`SELECT Id FROM Contact WHERE LastName = '${"a'b"}'`);
    expect(broken.status).toBe(400);
    expect(broken.body[0]!.errorCode).toBe('MALFORMED_QUERY');
    expect((await query('SELECT Id FROM Contact WHERE Nope__c = 1')).body[0]!.errorCode).toBe('INVALID_FIELD');
    expect((await query('SELECT Id FROM Account')).body[0]!.errorCode).toBe('INVALID_TYPE');
  });

  it('lists the org’s limits for the admin’s test call, counting API requests down, behind the session', async () => {
    const limits = async (authorization: Record<string, string> = auth) => {
      const res = await fetch(`${server.url}${CRM_PROBES.salesforce}`, { headers: authorization });
      return { status: res.status, body: (await res.json()) as Record<string, { Max: number; Remaining: number }> & Array<{ errorCode: string }> };
    };
    expect(CRM_PROBES.salesforce).toBe('/services/data/v62.0/limits');
    const first = await limits();
    expect(first.status).toBe(200);
    expect(first.body.DailyApiRequests!.Max).toBe(100_000);
    expect(first.body.DataStorageMB).toEqual({ Max: 1_024, Remaining: 1_024 });
    for (const value of Object.values(first.body)) expect(value).toEqual({ Max: expect.any(Number), Remaining: expect.any(Number) });
    // Every authenticated data call counts, this one included.
    await query('SELECT Id FROM Contact');
    expect((await limits()).body.DailyApiRequests!.Remaining).toBe(first.body.DailyApiRequests!.Remaining - 2);

    const anonymous = await limits({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body[0]!.errorCode).toBe('INVALID_SESSION_ID');
    // The resource exists from version 29.0.
    expect((await fetch(`${server.url}/services/data/v28.0/limits`, { headers: auth })).status).toBe(404);

    // A day later the count starts again.
    now += 24 * 60 * 60_000;
    const fresh = await tokenRequest({ body: 'grant_type=client_credentials', authorization: basic(CLIENT.clientId, CLIENT.clientSecret) });
    const later = await limits({ authorization: `Bearer ${((await fresh.json()) as { access_token: string }).access_token}` });
    expect(later.body.DailyApiRequests).toEqual({ Max: 100_000, Remaining: 99_999 });

    // The test call itself: a client-credentials token from the simulator's token endpoint, then the limits.
    const deps = { fetch: guardedFetch({ allowLoopback: true }), credentials: credentialHeaders({ nowMs: () => now }), timeoutMs: 2_000 };
    const salesforce = integration('salesforce', { baseUrl: server.url });
    const oauth = (clientSecret: string) => ({
      signingSecret: 'a'.repeat(64),
      auth: { type: 'oauth_client_credentials' as const, tokenUrl: `${server.url}/services/oauth2/token`, clientId: CLIENT.clientId, clientSecret },
    });
    expect(await testCall(salesforce, oauth(CLIENT.clientSecret), deps)).toMatchObject({ status: 'test_ok', httpStatus: 200, path: CRM_PROBES.salesforce });
    // A fresh token cache: the one above would reuse the token it holds for this client.
    expect(await testCall(salesforce, oauth('wrong'), { ...deps, credentials: credentialHeaders({ nowMs: () => now }) })).toMatchObject({
      status: 'test_failed',
      error: { code: 'credentials_refused' },
    });
    now -= 24 * 60 * 60_000;
  });
});
