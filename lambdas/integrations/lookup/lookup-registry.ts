import type { IntegrationKind } from '#lambdas/integrations/integration-model';
import { lookupHubSpotContact } from '#lambdas/integrations/lookup/hubspot-lookup';
import type { CrmLookupFunction, IntegrationLookup } from '#lambdas/integrations/lookup/lookup-port';
import { lookupSalesforceContact } from '#lambdas/integrations/lookup/salesforce-lookup';
import { webhookLookup } from '#lambdas/integrations/lookup/webhook-lookup';
import { lookupZendeskUser } from '#lambdas/integrations/lookup/zendesk-lookup';

/** A CRM's lookup as crm-lookup.ts calls it: with the admin's credentials and the guarded fetch. */
export const crmLookup =
  (lookup: CrmLookupFunction): IntegrationLookup =>
  (integration, credentials, contact, fetch, signal) =>
    lookup(integration, credentials.auth, contact, fetch as typeof globalThis.fetch, signal);

/** How each kind looks a contact up; a kind without one is skipped and reported. */
export const LOOKUPS: Readonly<Partial<Record<IntegrationKind, IntegrationLookup>>> = {
  webhook: webhookLookup,
  hubspot: crmLookup(lookupHubSpotContact),
  salesforce: crmLookup(lookupSalesforceContact),
  zendesk: crmLookup(lookupZendeskUser),
};
