import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createZendeskRoutes } from '#lib/local-cloud/crm-simulator/zendesk-routes';
import { zendeskMapper } from '#lambdas/integrations/mappers/zendesk';
import { conversation, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';
import { deliver, serveCrmRoutes, type CrmRouteServer } from '#test/unit/local-cloud/crm-simulator/serve-crm-routes';
import { CRM_PROBES, testCall } from '#lambdas/integrations/api/test-call';
import { credentialHeaders } from '#lambdas/integrations/credential-headers';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import { integration } from '#test/unit/integrations/mappers/crm-mapper-fixtures';

const EMAIL = 'integration@acme.example';
const API_TOKEN = 'zd-local-token-123';
const AUTH = { authorization: `Basic ${Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString('base64')}` };

describe('Zendesk simulator routes', () => {
  let now = Date.parse('2026-12-07T12:00:00.000Z');
  const routes = createZendeskRoutes({ apiTokens: [{ email: EMAIL, token: API_TOKEN }], clock: () => now });
  let server: CrmRouteServer;
  beforeAll(async () => {
    server = await serveCrmRoutes(routes.handle);
  });
  afterAll(() => server.close());
  beforeEach(() => routes.store.reset());

  it('refuses other credentials with Zendesk’s 401', async () => {
    const [user] = zendeskMapper.map(mapperInput('zendesk'));
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: `Basic ${Buffer.from(`${EMAIL}/token:wrong`).toString('base64')}` },
      { authorization: `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}` },
      { authorization: 'Bearer x' },
    ];
    for (const auth of attempts) {
      const res = await deliver(server.url, user!, auth);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "Couldn't authenticate you" });
    }
  });

  it('creates the user once and updates it after, matched on external_id', async () => {
    const [user] = zendeskMapper.map(mapperInput('zendesk'));
    const first = await deliver(server.url, user!, AUTH);
    const second = await deliver(server.url, user!, AUTH);
    expect([first.status, second.status]).toEqual([201, 200]);
    expect((second.body as { user: { id: number } }).user.id).toBe((first.body as { user: { id: number } }).user.id);
    expect(routes.store.endUsers()).toHaveLength(1);
    expect(routes.store.endUsers()[0]).toMatchObject({
      name: 'María José da Silva',
      phone: '+5511987654321',
      locale: 'pt-BR',
      user_fields: { omnichannel_ad_id: '120210000000000001' },
    });
  });

  // Zendesk's own idempotency, as a client that can send headers per request uses it (our deliveries
  // cannot: EventBridge sends header values as written, so the mapper sends none).
  const withKey = (request: ReturnType<typeof zendeskMapper.map>[number]) => ({ ...request, headers: { 'Idempotency-Key': request.idempotencyKey } });

  it('replays a ticket create with the same Idempotency-Key instead of creating a second ticket', async () => {
    const ticket = withKey(zendeskMapper.map(mapperInput('zendesk')).find((r) => r.destination === 'tickets_create')!);
    const first = await deliver(server.url, ticket, AUTH);
    expect(first.status).toBe(201);
    expect(first.headers.get('x-idempotency-lookup')).toBe('miss');
    // A second close event of the same session: another event id, the same key and body.
    const again = withKey(zendeskMapper.map(mapperInput('zendesk', { eventId: 'evt-9' })).find((r) => r.destination === 'tickets_create')!);
    const second = await deliver(server.url, again, AUTH);
    expect(second.status).toBe(201);
    expect(second.headers.get('x-idempotency-lookup')).toBe('hit');
    expect((second.body as { ticket: { id: number } }).ticket.id).toBe((first.body as { ticket: { id: number } }).ticket.id);
    expect(routes.store.allTickets()).toHaveLength(1);
    expect(routes.store.allTickets()[0]).toMatchObject({
      status: 'solved',
      assignee_id: routes.store.apiUser.id,
      tags: ['omnichannel', 'omnichannel_whatsapp', 'outcome_resolved', 'late-delivery'],
    });
    expect(routes.store.counts()).toMatchObject({ ticketsCreated: 1, idempotentHits: 1 });
  });

  it('creates a second ticket when the same create arrives again without a key (why our ticket create is tried once)', async () => {
    const ticket = zendeskMapper.map(mapperInput('zendesk')).find((r) => r.destination === 'tickets_create')!;
    expect(ticket.headers).toBeUndefined();
    const first = await deliver(server.url, ticket, AUTH);
    const second = await deliver(server.url, ticket, AUTH);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.headers.get('x-idempotency-lookup')).toBeNull();
    expect(routes.store.allTickets()).toHaveLength(2);
  });

  it('refuses the same key with another body, and forgets keys after two hours', async () => {
    const ticket = withKey(zendeskMapper.map(mapperInput('zendesk')).find((r) => r.destination === 'tickets_create')!);
    await deliver(server.url, ticket, AUTH);
    const changed = { ...ticket, body: { ticket: { ...(ticket.body as { ticket: object }).ticket, subject: 'changed' } } };
    const refused = await deliver(server.url, changed, AUTH);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: 'IdempotentRequestError', description: "Request parameters don't match the given idempotency key" });

    now += 2 * 60 * 60_000;
    const late = await deliver(server.url, ticket, AUTH);
    expect(late.headers.get('x-idempotency-lookup')).toBe('miss');
    expect(routes.store.allTickets()).toHaveLength(2);
  });

  it('links the ticket to the requester the lookup found, and refuses an unknown requester', async () => {
    const created = (await deliver(server.url, zendeskMapper.map(mapperInput('zendesk'))[0]!, AUTH)).body as { user: { id: number } };
    const withRequester = zendeskMapper.map(
      mapperInput('zendesk', { contact: { ...mapperInput('zendesk').contact!, crmIds: { zendesk: String(created.user.id) } } }),
    )[1]!;
    expect((await deliver(server.url, withRequester, AUTH)).status).toBe(201);
    expect(routes.store.allTickets()[0]!.requester_id).toBe(created.user.id);

    const unknown = zendeskMapper.map(
      mapperInput('zendesk', {
        contact: { ...mapperInput('zendesk').contact!, crmIds: { zendesk: '999' } },
        conversation: conversation({ openedAt: '2026-12-08T00:00:00.000Z' }),
      }),
    )[1]!;
    const res = await deliver(server.url, unknown, AUTH);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'RecordInvalid', details: { requester: [{ error: 'InvalidValue' }] } });
  });

  it('answers validation errors as RecordInvalid', async () => {
    const post = (path: string, body: unknown) => deliver(server.url, { method: 'POST', path, body, idempotencyKey: 'k' }, AUTH);
    const noName = await post('/api/v2/users/create_or_update', { user: { external_id: 'c_1' } });
    expect(noName.status).toBe(422);
    expect(noName.body).toMatchObject({ error: 'RecordInvalid', details: { name: [{ error: 'BlankValue' }] } });
    const noComment = await post('/api/v2/tickets', { ticket: { subject: 'x' } });
    expect(noComment.status).toBe(422);
    expect(noComment.body).toMatchObject({ details: { base: [{ description: 'Description: cannot be blank' }] } });
    expect(routes.store.endUsers()).toHaveLength(0);
  });

  it('searches users by external_id and by phone', async () => {
    routes.store.seedUser({ name: 'Ana', phone: '+5511911111111', external_id: 'c_ana', tags: ['vip'] });
    const get = async (q: string) => {
      const res = await fetch(`${server.url}/api/v2/users/search?${q}`, { headers: AUTH });
      return (await res.json()) as { users: Array<{ name: string }>; count: number };
    };
    expect((await get('external_id=C_ANA')).users.map((u) => u.name)).toEqual(['Ana']);
    expect((await get(`query=${encodeURIComponent('phone:"+5511911111111"')}`)).count).toBe(1);
    expect((await get(`query=${encodeURIComponent('phone:"+5511900000000"')}`)).count).toBe(0);
  });

  it('shows the authenticated user for the admin’s test call; no credentials get the anonymous user, wrong ones 401', async () => {
    const me = async (auth: Record<string, string>) => {
      const res = await fetch(`${server.url}${CRM_PROBES.zendesk}`, { headers: { accept: 'application/json', ...auth } });
      return {
        status: res.status,
        body: (await res.json()) as { user?: { id: number | null; name: string; email: string; role: string; url: string | null }; error?: string },
      };
    };
    expect(CRM_PROBES.zendesk).toBe('/api/v2/users/me.json');
    const ok = await me(AUTH);
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({
      id: routes.store.apiUser.id,
      role: 'admin',
      url: expect.stringContaining(`/api/v2/users/${routes.store.apiUser.id}.json`),
    });
    // Zendesk allows this endpoint anonymously: 200 with a user whose id is null.
    const anonymous = await me({});
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.user).toMatchObject({ id: null, name: 'Anonymous user', role: 'end-user' });
    const wrong = await me({ authorization: `Basic ${Buffer.from(`${EMAIL}/token:wrong`).toString('base64')}` });
    expect(wrong).toEqual({ status: 401, body: { error: "Couldn't authenticate you" } });

    // The test call itself; an API key in a header Zendesk does not read is answered anonymously and does not pass.
    const deps = { fetch: guardedFetch({ allowLoopback: true }), credentials: credentialHeaders(), timeoutMs: 2_000 };
    const zendesk = integration('zendesk', { baseUrl: server.url });
    const basic = (password: string) => ({ signingSecret: 'a'.repeat(64), auth: { type: 'basic' as const, username: `${EMAIL}/token`, password } });
    expect(await testCall(zendesk, basic(API_TOKEN), deps)).toMatchObject({ status: 'test_ok', httpStatus: 200, path: CRM_PROBES.zendesk });
    expect(await testCall(zendesk, basic('wrong'), deps)).toMatchObject({ status: 'test_failed', httpStatus: 401, error: { code: 'http_401' } });
    const ignored = { signingSecret: 'a'.repeat(64), auth: { type: 'api_key' as const, headerName: 'X-Api-Key', apiKey: API_TOKEN } };
    expect(await testCall(zendesk, ignored, deps)).toMatchObject({ status: 'test_failed', httpStatus: 200, error: { code: 'credentials_not_used' } });
  });
});
