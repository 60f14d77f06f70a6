import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCrmSimulator, type CrmSimulator } from '#lib/local-cloud/crm-simulator/index';
import { createSalesforceRoutes } from '#lib/local-cloud/crm-simulator/salesforce-routes';
import { guardedFetch } from '#lambdas/integrations/guarded-fetch';
import { lookupSalesforceContact, salesforceLookupQuery } from '#lambdas/integrations/lookup/salesforce-lookup';
import { salesforceMapper } from '#lambdas/integrations/mappers/salesforce';
import type { IntegrationAuth } from '#lambdas/integrations/integration-model';
import { contact, integration, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';
import { deliver } from '#test/unit/local-cloud/crm-simulator/serve-crm-routes';
import { CrmLookupError } from '#lambdas/integrations/errors';

const CLIENT = { clientId: '3MVG9lookup', clientSecret: 'lookup-secret' };
const fetchForLookups = guardedFetch({ allowLoopback: true }) as unknown as typeof fetch;

describe('Salesforce lookup against the simulator', () => {
  let sim: CrmSimulator;
  const routes = createSalesforceRoutes({ clients: [CLIENT], instanceUrl: () => sim.baseUrl('salesforce') });
  const credentials = (secret = CLIENT.clientSecret): IntegrationAuth => ({
    type: 'oauth_client_credentials',
    tokenUrl: `${sim.baseUrl('salesforce')}/services/oauth2/token`,
    clientId: CLIENT.clientId,
    clientSecret: secret,
  });
  const lookup = (c = contact(), creds = credentials()) =>
    lookupSalesforceContact(integration('salesforce', { baseUrl: sim.baseUrl('salesforce') }), creds, c, fetchForLookups, AbortSignal.timeout(5_000));

  beforeAll(async () => {
    sim = await startCrmSimulator({ port: 0, routes: { salesforce: routes } });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('finds a Contact by the number with a client-credentials token, reading tags and the VIP checkbox', async () => {
    const ana = routes.store.seed('Contact', {
      FirstName: 'Ana',
      LastName: 'Souza',
      MobilePhone: '+5511987654321',
      Omnichannel_Tags__c: 'gold;VIP',
      Omnichannel_VIP__c: true,
    });
    expect(await lookup()).toEqual({ crmIds: { salesforce: ana.Id, salesforceObject: 'Contact' }, name: 'Ana Souza', tags: ['gold', 'vip'], vip: true });
    // The first lookup asks for a token, then queries with it.
    expect(sim.outbox({ crm: 'salesforce' }).map((e) => `${e.method} ${e.path}`)).toEqual([
      'POST /salesforce/services/oauth2/token',
      'GET /salesforce/services/data/v62.0/query',
    ]);
  });

  it('reuses its token, and fetches a new one when Salesforce ends the session', async () => {
    routes.store.seed('Contact', { LastName: 'Souza', Phone: '+5511987654321' });
    await lookup();
    const issued = routes.store.tokensIssued();
    await lookup();
    expect(routes.store.tokensIssued()).toBe(issued);
    routes.store.revokeTokens();
    expect(await lookup()).toMatchObject({ crmIds: { salesforceObject: 'Contact' } });
    expect(routes.store.tokensIssued()).toBe(issued + 1);
  });

  it('prefers the Contact our mapping wrote, and does not bring back its stand-in name', async () => {
    routes.store.seed('Contact', { LastName: 'Older', MobilePhone: '+5511987654321' }, '2020-01-01T00:00:00.000Z');
    const token = (
      routes.handle({
        method: 'POST',
        path: '/services/oauth2/token',
        query: {},
        headers: {},
        body: `grant_type=client_credentials&client_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}`,
      })!.body as { access_token: string }
    ).access_token;
    const [upsert] = salesforceMapper.map(mapperInput('salesforce', { eventType: 'contact.updated', contact: contact({ name: undefined }) }));
    const written = await deliver(sim.baseUrl('salesforce'), upsert!, { authorization: `Bearer ${token}` });
    expect(written.status).toBe(201);
    const found = await lookup(contact({ name: undefined }));
    expect(found).toEqual({ crmIds: { salesforce: (written.body as { id: string }).id, salesforceObject: 'Contact' }, tags: ['vip', 'wholesale'], vip: true });
    expect(found?.name).toBeUndefined();
  });

  it('keeps hostile values inside their literals: the query matches nobody instead of everybody', async () => {
    routes.store.seed('Contact', { LastName: 'A', Omnichannel_Contact_Id__c: 'c_A' });
    routes.store.seed('Contact', { LastName: 'B', Omnichannel_Contact_Id__c: 'c_B' });
    const hostile = contact({ contactId: "c_A' OR LastName != 'x", phoneE164: "+5511' OR Name != '" });
    expect(salesforceLookupQuery(hostile)).not.toContain("OR LastName != 'x'");
    expect(await lookup(hostile)).toBeUndefined();
  });

  it('answers undefined for nobody, and throws when the client is refused', async () => {
    expect(await lookup()).toBeUndefined();
    const refused = await lookup(contact(), credentials('wrong')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CrmLookupError);
    expect(refused).toMatchObject({ reason: 'token_refused', status: 400 });
  });
});
