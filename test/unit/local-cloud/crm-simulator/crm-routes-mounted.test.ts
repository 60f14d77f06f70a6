import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrmSimulator, type CrmSimulator } from '#lib/local-cloud/crm-simulator/index';
import { hubspotMapper } from '#lambdas/integrations/mappers/hubspot';
import { salesforceMapper } from '#lambdas/integrations/mappers/salesforce';
import { zendeskMapper } from '#lambdas/integrations/mappers/zendesk';
import { mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';
import { deliver } from '#test/unit/local-cloud/crm-simulator/serve-crm-routes';

/**
 * The simulator server loads the three `<crm>-routes.ts` modules on its own (as the local cloud
 * starts it): every mapped delivery of a close that EventBridge may repeat, made twice through the
 * server, leaves one record each. A single-attempt destination (Zendesk's ticket create, which
 * nothing EventBridge sends makes idempotent) is made once, as its target makes it.
 */
describe('the CRM routes mounted by the simulator server', () => {
  let sim: CrmSimulator;
  beforeAll(async () => {
    sim = await startCrmSimulator({ port: 0 });
  });
  afterAll(() => sim.close());

  it('mounts HubSpot, Salesforce and Zendesk', () => {
    expect(sim.status()).toEqual({ hubspot: { state: 'mounted' }, salesforce: { state: 'mounted' }, zendesk: { state: 'mounted' } });
  });

  it('turns the same retried deliveries, twice, into one record each', async () => {
    const tokenRes = await fetch(`${sim.baseUrl('salesforce')}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('local-client:local-secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    const token = (await tokenRes.json()) as { access_token: string; instance_url: string };
    expect(token.instance_url).toBe(sim.baseUrl('salesforce'));

    const auth = {
      hubspot: { authorization: 'Bearer pat-local' },
      salesforce: { authorization: `Bearer ${token.access_token}` },
      zendesk: { authorization: `Basic ${Buffer.from('agent@acme.example/token:zd-local').toString('base64')}` },
    };
    const mappers = { hubspot: hubspotMapper, salesforce: salesforceMapper, zendesk: zendeskMapper };
    for (const crm of ['hubspot', 'salesforce', 'zendesk'] as const) {
      const requests = mappers[crm].map(mapperInput(crm));
      const once = new Set(mappers[crm].destinations.filter((d) => d.singleAttempt).map((d) => d.key));
      expect(once.size).toBe(crm === 'zendesk' ? 1 : 0);
      for (let round = 0; round < 2; round++) {
        for (const r of requests.filter((q) => round === 0 || !once.has(q.destination)))
          expect((await deliver(sim.baseUrl(crm), r, auth[crm])).status).toBeLessThan(300);
      }
    }
    const hubspot = sim.records('hubspot') as { contacts: unknown[]; tickets: unknown[] };
    const salesforce = sim.records('salesforce') as { Contact: unknown[]; Case: unknown[] };
    const zendesk = sim.records('zendesk') as { users: Array<{ role: string }>; tickets: unknown[] };
    expect([hubspot.contacts.length, hubspot.tickets.length]).toEqual([1, 1]);
    expect([salesforce.Contact.length, salesforce.Case.length]).toEqual([1, 1]);
    expect([zendesk.users.filter((u) => u.role === 'end-user').length, zendesk.tickets.length]).toEqual([1, 1]);
  });
});
