import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCrmSimulator, type CrmSimulator } from '#lib/local-cloud/crm-simulator/index';
import { createHubSpotRoutes } from '#lib/local-cloud/crm-simulator/hubspot-routes';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import { lookupHubSpotContact } from '#lambdas/integrations/lookup/hubspot-lookup';
import { hubspotMapper } from '#lambdas/integrations/mappers/hubspot';
import type { IntegrationAuth } from '#lambdas/integrations/integration-model';
import { contact, integration, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';
import { deliver } from '#test/unit/local-cloud/crm-simulator/serve-crm-routes';
import { CrmLookupError } from '#lambdas/integrations/errors';

const TOKEN = 'pat-na1-lookup-token';
const CREDENTIALS: IntegrationAuth = { type: 'api_key', headerName: 'Authorization', apiKey: `Bearer ${TOKEN}` };
// The same guarded fetch the lookup Lambda uses, allowed to reach the local simulator.
const fetchForLookups = guardedFetch({ allowLoopback: true }) as unknown as typeof fetch;

describe('HubSpot lookup against the simulator', () => {
  const routes = createHubSpotRoutes({ accessTokens: [TOKEN] });
  let sim: CrmSimulator;
  const hubspot = () => integration('hubspot', { baseUrl: sim.baseUrl('hubspot') });
  const lookup = (c = contact(), credentials = CREDENTIALS) => lookupHubSpotContact(hubspot(), credentials, c, fetchForLookups, AbortSignal.timeout(5_000));

  beforeAll(async () => {
    sim = await startCrmSimulator({ port: 0, routes: { hubspot: routes } });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('finds a contact someone typed into HubSpot by the number, with name, tags and VIP', async () => {
    const ana = routes.store.seed('contacts', {
      firstname: 'Ana',
      lastname: 'Souza',
      mobilephone: '+5511987654321',
      omnichannel_tags: 'Gold;wholesale',
      omnichannel_vip: 'true',
    });
    expect(await lookup()).toEqual({ crmIds: { hubspot: ana.id }, name: 'Ana Souza', tags: ['gold', 'wholesale'], vip: true });
  });

  it('prefers the record our mapping wrote over an older one with the same number', async () => {
    routes.store.seed('contacts', { firstname: 'Old', phone: '+5511987654321' }, '2020-01-01T00:00:00.000Z');
    const [contactsUpsert] = hubspotMapper.map(mapperInput('hubspot', { eventType: 'contact.updated' }));
    const written = await deliver(sim.baseUrl('hubspot'), contactsUpsert!, { authorization: `Bearer ${TOKEN}` });
    const id = (written.body as { results: Array<{ id: string }> }).results[0]!.id;
    const found = await lookup();
    expect(found?.crmIds).toEqual({ hubspot: id });
    expect(found?.name).toBe('María José da Silva');
    expect(found?.tags).toEqual(['vip', 'wholesale']);
    expect(found?.vip).toBe(true);
  });

  it('answers undefined when HubSpot knows nobody by that id or number', async () => {
    routes.store.seed('contacts', { firstname: 'Someone', phone: '+5511900000000' });
    expect(await lookup()).toBeUndefined();
  });

  it('sends a number only when it is E.164, and never more than our filters', async () => {
    await lookup(contact({ phoneE164: "+55' OR 1=1" }));
    const sent = sim.outbox({ crm: 'hubspot' }).at(-1)!.body as { filterGroups: Array<{ filters: Array<{ propertyName: string; value: string }> }> };
    expect(sent.filterGroups).toEqual([{ filters: [{ propertyName: 'omnichannel_contact_id', operator: 'EQ', value: contact().contactId }] }]);
  });

  it('throws a CrmLookupError naming no customer data when HubSpot refuses or answers badly', async () => {
    const refused = await lookup(contact(), { ...CREDENTIALS, apiKey: 'Bearer wrong' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CrmLookupError);
    expect(refused).toMatchObject({ reason: 'refused_credentials', status: 401 });
    expect((refused as Error).message).not.toContain('5511987654321');

    sim.injectFault({ crm: 'hubspot', status: 503 });
    await expect(lookup()).rejects.toMatchObject({ reason: 'bad_status', status: 503 });
    sim.injectFault({ crm: 'hubspot', status: 200, body: { results: 'not a list' } });
    await expect(lookup()).rejects.toMatchObject({ reason: 'unreadable' });
    sim.injectFault({ crm: 'hubspot', status: 200, body: { results: [{ id: '../../x', properties: { firstname: 'Evil' } }] } });
    expect(await lookup()).toBeUndefined();
  });

  it('gives up when the budget’s signal aborts', async () => {
    sim.injectFault({ crm: 'hubspot', status: 200, delayMs: 2_000, body: { results: [] } });
    await expect(lookupHubSpotContact(hubspot(), CREDENTIALS, contact(), fetchForLookups, AbortSignal.timeout(100))).rejects.toThrow();
  });
});
