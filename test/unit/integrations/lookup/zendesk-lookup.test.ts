import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCrmSimulator, type CrmSimulator } from '#lib/local-cloud/crm-simulator/index';
import { createZendeskRoutes } from '#lib/local-cloud/crm-simulator/zendesk-routes';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import { lookupZendeskUser } from '#lambdas/integrations/lookup/zendesk-lookup';
import { zendeskMapper } from '#lambdas/integrations/mappers/zendesk';
import type { IntegrationAuth } from '#lambdas/integrations/integration-model';
import { contact, integration, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';
import { deliver } from '#test/unit/local-cloud/crm-simulator/serve-crm-routes';
import { CrmLookupError } from '#lambdas/integrations/errors';

const EMAIL = 'integration@acme.example';
const API_TOKEN = 'zd-lookup-token';
const CREDENTIALS: IntegrationAuth = { type: 'basic', username: `${EMAIL}/token`, password: API_TOKEN };
const fetchForLookups = guardedFetch({ allowLoopback: true }) as unknown as typeof fetch;

describe('Zendesk lookup against the simulator', () => {
  let sim: CrmSimulator;
  const routes = createZendeskRoutes({ apiTokens: [{ email: EMAIL, token: API_TOKEN }], baseUrl: () => sim.baseUrl('zendesk') });
  const lookup = (c = contact(), credentials = CREDENTIALS) =>
    lookupZendeskUser(integration('zendesk', { baseUrl: sim.baseUrl('zendesk') }), credentials, c, fetchForLookups, AbortSignal.timeout(5_000));

  beforeAll(async () => {
    sim = await startCrmSimulator({ port: 0, routes: { zendesk: routes } });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('finds a user an agent created by the number, VIP from the user’s `vip` tag', async () => {
    const ana = routes.store.seedUser({ name: 'Ana Souza', phone: '+5511987654321', tags: ['vip', 'gold'] });
    expect(await lookup()).toEqual({ crmIds: { zendesk: String(ana.id) }, name: 'Ana Souza', tags: ['vip', 'gold'], vip: true });
    const searches = sim.outbox({ crm: 'zendesk' }).map((e) => e.query);
    expect(searches).toContainEqual({ external_id: contact().contactId });
    expect(searches).toContainEqual({ query: 'phone:"+5511987654321"' });
  });

  it('prefers the user our mapping wrote (by external_id), whose stand-in name is not read back', async () => {
    routes.store.seedUser({ name: 'Older', phone: '+5511987654321' });
    const auth = { authorization: `Basic ${Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString('base64')}` };
    const [upsert] = zendeskMapper.map(mapperInput('zendesk', { eventType: 'contact.updated', contact: contact({ name: undefined }) }));
    const written = await deliver(sim.baseUrl('zendesk'), upsert!, auth);
    expect(written.status).toBe(201);
    const found = await lookup(contact({ name: undefined }));
    expect(found).toEqual({ crmIds: { zendesk: String((written.body as { user: { id: number } }).user.id) }, vip: false });
  });

  it('does not search by a number that is not E.164', async () => {
    routes.store.seedUser({ name: 'Someone', phone: 'x" OR role:admin' });
    expect(await lookup(contact({ phoneE164: 'x" OR role:admin' }))).toBeUndefined();
    expect(sim.outbox({ crm: 'zendesk' }).map((e) => e.query)).toEqual([{ external_id: contact().contactId }]);
  });

  it('throws a CrmLookupError when Zendesk refuses the credentials or answers badly', async () => {
    const refused = await lookup(contact(), { ...CREDENTIALS, password: 'wrong' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CrmLookupError);
    expect(refused).toMatchObject({ reason: 'refused_credentials', status: 401 });
    sim.injectFault({ crm: 'zendesk', status: 200, body: { users: { id: 1 } } });
    await expect(lookup()).rejects.toMatchObject({ reason: 'unreadable' });
  });

  it('answers undefined for nobody, and skips users Zendesk reports as inactive or with ids that are not ids', async () => {
    expect(await lookup()).toBeUndefined();
    sim.injectFault({
      crm: 'zendesk',
      status: 200,
      count: 2,
      body: {
        users: [
          { id: 'abc', name: 'Evil' },
          { id: 5, name: 'Gone', active: false },
        ],
      },
    });
    expect(await lookup()).toBeUndefined();
  });
});
