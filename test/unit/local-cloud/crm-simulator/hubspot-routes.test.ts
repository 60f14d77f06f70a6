import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHubSpotRoutes } from '#lib/local-cloud/crm-simulator/hubspot-routes';
import { hubspotPortalWithSetup, type HubSpotPortalSchema } from '#lib/local-cloud/crm-simulator/hubspot-record-store';
import { hubspotMapper } from '#lambdas/integrations/mappers/hubspot';
import { conversation, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';
import { deliver, serveCrmRoutes, type CrmRouteServer } from '#test/unit/local-cloud/crm-simulator/serve-crm-routes';
import { CRM_PROBES, testCall } from '#lambdas/integrations/api/test-call';
import { credentialHeaders } from '#lambdas/integrations/credential-headers';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import { integration } from '#test/unit/integrations/mappers/crm-mapper-fixtures';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const AUTH = { authorization: `Bearer ${TOKEN}` };

describe('HubSpot simulator routes', () => {
  const routes = createHubSpotRoutes({ accessTokens: [TOKEN] });
  let server: CrmRouteServer;
  beforeAll(async () => {
    server = await serveCrmRoutes(routes.handle);
  });
  afterAll(() => server.close());
  beforeEach(() => routes.store.reset());

  const post = (path: string, body: unknown, auth: Record<string, string> = AUTH) =>
    deliver(server.url, { method: 'POST', path, body, idempotencyKey: 'k' }, auth);

  it('refuses a request without the private app token, with HubSpot’s error body', async () => {
    for (const auth of [{}, { authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
      const res = await post('/crm/v3/objects/contacts/search', {}, auth);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION', correlationId: expect.any(String) });
    }
  });

  it('applies the same delivery twice as one contact and one ticket, updated the second time', async () => {
    const requests = hubspotMapper.map(mapperInput('hubspot'));
    const first = await Promise.all(requests.map((r) => deliver(server.url, r, AUTH)));
    const second = await Promise.all(requests.map((r) => deliver(server.url, r, AUTH)));
    expect(first.map((r) => r.status)).toEqual([200, 200]);
    expect(first.map((r) => (r.body as { results: Array<{ new: boolean }> }).results[0]!.new)).toEqual([true, true]);
    expect(second.map((r) => (r.body as { results: Array<{ new: boolean; id: string }> }).results[0]!.new)).toEqual([false, false]);
    expect((second[0]!.body as { results: Array<{ id: string }> }).results[0]!.id).toBe((first[0]!.body as { results: Array<{ id: string }> }).results[0]!.id);
    expect(routes.store.count('contacts')).toBe(1);
    expect(routes.store.count('tickets')).toBe(1);
    expect(routes.store.created('tickets')).toBe(1);
    expect(routes.store.updated('tickets')).toBe(1);
  });

  it('moves one ticket through its stages as the conversation’s events arrive', async () => {
    const open = conversation({ state: 'bot', closedAt: undefined, outcome: undefined, assignedAgentId: undefined });
    for (const [eventType, conv] of [
      ['conversation.opened', open],
      ['conversation.assigned', { ...open, state: 'human', assignedAgentId: 'agent_ana' }],
      ['conversation.closed', conversation()],
    ] as const) {
      for (const r of hubspotMapper.map(mapperInput('hubspot', { eventType, conversation: conv, eventId: eventType })))
        expect((await deliver(server.url, r, AUTH)).status).toBe(200);
    }
    const [ticket] = routes.store.records('tickets');
    expect(routes.store.count('tickets')).toBe(1);
    expect(ticket!.properties).toMatchObject({ hs_pipeline_stage: '4', omnichannel_outcome: 'resolved', omnichannel_agent_id: 'agent_ana' });
  });

  it('refuses properties the portal does not have (the setup step not done)', async () => {
    const schema: HubSpotPortalSchema = hubspotPortalWithSetup();
    const bare = createHubSpotRoutes({
      accessTokens: [TOKEN],
      schema: { ...schema, properties: { ...schema.properties, contacts: new Set(['firstname', 'lastname', 'phone', 'omnichannel_contact_id']) } },
    });
    const [contacts] = hubspotMapper.map(mapperInput('hubspot'));
    const res = bare.handle({ method: 'POST', path: contacts!.path, query: {}, headers: AUTH, body: JSON.stringify(contacts!.body) })!;
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect((res.body as { message: string }).message).toContain('PROPERTY_DOESNT_EXIST');
    expect(bare.store.count('contacts')).toBe(0);
  });

  it('answers validation errors as HubSpot does', async () => {
    const upsert = (objectType: string, inputs: unknown[]) => post(`/crm/v3/objects/${objectType}/batch/upsert`, { inputs });
    const message = async (p: Promise<{ status: number; body: unknown }>) => {
      const res = await p;
      expect(res.status).toBe(400);
      return (res.body as { message: string }).message;
    };
    expect(await message(upsert('contacts', [{ id: 'a', idProperty: 'firstname', properties: {} }]))).toContain('non-unique 0-1 property firstname');
    expect(await message(upsert('contacts', [{ id: 'a', idProperty: 'omnichannel_contact_id', properties: { hs_object_id: '1' } }]))).toContain(
      'READ_ONLY_VALUE',
    );
    expect(await message(upsert('tickets', [{ id: 'cv_1', idProperty: 'omnichannel_conversation_id', properties: { subject: 'x' } }]))).toContain(
      'hs_pipeline_stage is required',
    );
    expect(
      await message(upsert('tickets', [{ id: 'cv_1', idProperty: 'omnichannel_conversation_id', properties: { subject: 'x', hs_pipeline_stage: '9' } }])),
    ).toContain('INVALID_OPTION');
    const same = { id: 'c_1', idProperty: 'omnichannel_contact_id', properties: {} };
    expect(await message(upsert('contacts', [same, { ...same, id: 'C_1' }]))).toContain('Duplicate IDs');
    expect(
      await message(
        upsert(
          'contacts',
          Array.from({ length: 101 }, (_, i) => ({ ...same, id: `c_${i}` })),
        ),
      ),
    ).toContain('limit');
    expect(await message(upsert('contacts', []))).toContain('inputs');
    expect(routes.store.count('contacts') + routes.store.count('tickets')).toBe(0);
  });

  it('searches with filter groups ORed and filters ANDed, within HubSpot’s limits', async () => {
    routes.store.seed('contacts', { firstname: 'Ana', phone: '+5511911111111' }, '2026-01-01T00:00:00.000Z');
    routes.store.seed('contacts', { firstname: 'Bia', mobilephone: '+5511922222222' }, '2026-01-02T00:00:00.000Z');
    routes.store.seed('contacts', { firstname: 'Caio', phone: '+5511933333333' }, '2026-01-03T00:00:00.000Z');
    const res = await post('/crm/v3/objects/contacts/search', {
      filterGroups: [
        { filters: [{ propertyName: 'phone', operator: 'EQ', value: '+5511911111111' }] },
        { filters: [{ propertyName: 'mobilephone', operator: 'EQ', value: '+5511922222222' }] },
      ],
      properties: ['firstname'],
      sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }],
    });
    expect(res.status).toBe(200);
    const body = res.body as { total: number; results: Array<{ properties: Record<string, string> }> };
    expect(body.total).toBe(2);
    expect(body.results.map((r) => r.properties.firstname)).toEqual(['Bia', 'Ana']);

    const tooMany = await post('/crm/v3/objects/contacts/search', {
      filterGroups: Array.from({ length: 6 }, () => ({ filters: [{ propertyName: 'phone', operator: 'EQ', value: 'x' }] })),
    });
    expect(tooMany.status).toBe(400);
    const unknown = await post('/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [{ propertyName: 'nope', operator: 'EQ', value: 'x' }] }] });
    expect(unknown.status).toBe(400);
  });

  it('lists contacts a page at a time, as the admin’s test call reads one, and refuses it without the token', async () => {
    for (const name of ['Ana', 'Bia', 'Caio']) routes.store.seed('contacts', { firstname: name }, '2026-01-01T00:00:00.000Z');
    const get = async (path: string, auth: Record<string, string> = AUTH) => {
      const res = await fetch(`${server.url}${path}`, { headers: auth });
      return {
        status: res.status,
        body: (await res.json()) as {
          results: Array<{ id: string; properties: Record<string, string | null> }>;
          paging?: { next: { after: string; link: string } };
        },
      };
    };
    const first = await get(CRM_PROBES.hubspot);
    expect(CRM_PROBES.hubspot).toBe('/crm/v3/objects/contacts?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.results).toHaveLength(1);
    expect(first.body.results[0]).toMatchObject({
      id: expect.any(String),
      properties: { firstname: 'Ana', lastname: null, email: null, hs_object_id: expect.any(String) },
      archived: false,
    });
    expect(first.body.paging?.next).toEqual({
      after: first.body.results[0]!.id,
      link: `https://api.hubapi.com/crm/v3/objects/contacts?limit=1&after=${first.body.results[0]!.id}`,
    });
    const rest = await get(`/crm/v3/objects/contacts?limit=10&after=${first.body.paging!.next.after}&properties=firstname`);
    expect(rest.body.results.map((r) => r.properties.firstname)).toEqual(['Bia', 'Caio']);
    expect(rest.body.paging).toBeUndefined();
    expect((await get('/crm/v3/objects/contacts?limit=101')).status).toBe(400);
    expect((await get('/crm/v3/objects/contacts?limit=1', {})).status).toBe(401);
    expect((await get('/crm/v3/objects/contacts?limit=1', { authorization: 'Bearer wrong' })).body).toMatchObject({ category: 'INVALID_AUTHENTICATION' });

    // The test call itself, through the guarded fetch, with the integration's credentials.
    const deps = { fetch: guardedFetch({ allowLoopback: true }), credentials: credentialHeaders(), timeoutMs: 2_000 };
    const hubspot = integration('hubspot', { baseUrl: server.url });
    const secrets = (apiKey: string) => ({ signingSecret: 'a'.repeat(64), auth: { type: 'api_key' as const, headerName: 'Authorization', apiKey } });
    expect(await testCall(hubspot, secrets(`Bearer ${TOKEN}`), deps)).toMatchObject({
      status: 'test_ok',
      httpStatus: 200,
      method: 'GET',
      path: CRM_PROBES.hubspot,
    });
    expect(await testCall(hubspot, secrets('Bearer pat-na1-revoked'), deps)).toMatchObject({
      status: 'test_failed',
      httpStatus: 401,
      error: { code: 'http_401' },
    });
  });
});
