import type { Contact } from '#lambdas/contacts/contact-model';
import type { CrmLookupResult } from '#lambdas/contacts/contact-ports';
import type { Integration, IntegrationAuth } from '#lambdas/integrations/integration-model';
import type { IntegrationCredentials } from '#lambdas/integrations/integration-secrets';
import type { IntegrationFetch } from '#lambdas/integrations/guarded-fetch';

/**
 * How one CRM looks a contact up (`lookup/<kind>-lookup.ts`): its search API, called by our Lambda
 * with the integration's credentials.
 *
 * - `integration`: the stored config (its `baseUrl` is the CRM instance).
 * - `credentials`: the admin's credentials, from the integration's own secret (integration-secrets.ts).
 * - `fetch`: the only way to reach the network. It refuses private and loopback addresses and long
 *   answers (guarded-fetch.ts) and returns a standard `Response`. Never call the global `fetch`.
 * - `signal`: aborts when the whole lookup's budget (1 s) is spent; pass it to every request.
 *
 * Answer `undefined` when nothing is found. Throw on failures (HTTP errors, bad answers): the
 * caller logs the kind and the error name (never the contact), caches the failure briefly and goes
 * on without this integration. Return only what the CRM says of this contact: the caller checks
 * the shape again (crm-lookup.ts `sanitizeLookupResult`) before anything reaches the contact.
 */
export type CrmLookupFunction = (
  integration: Integration,
  credentials: IntegrationAuth,
  contact: Contact,
  fetch: typeof globalThis.fetch,
  signal: AbortSignal,
) => Promise<CrmLookupResult | undefined>;

/**
 * What crm-lookup.ts calls for every kind: a CRM's function adapted (lookup-registry.ts), or the
 * webhook's, which also signs its request and needs the whole credentials.
 */
export type IntegrationLookup = (
  integration: Integration,
  credentials: IntegrationCredentials & { authHeaders: (signal?: AbortSignal) => Promise<Record<string, string>> },
  contact: Contact,
  fetch: IntegrationFetch,
  signal: AbortSignal,
) => Promise<CrmLookupResult | undefined>;

export type { CrmLookupResult, IntegrationFetch };
