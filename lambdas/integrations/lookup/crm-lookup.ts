import * as z from 'zod';
import { contactTagSchema, type AttributeValue, type Contact, type CrmIds } from '#lambdas/contacts/contact-model';
import type { CrmLookup, CrmLookupResult } from '#lambdas/contacts/contact-ports';
import type { CredentialHeaders } from '#lambdas/integrations/credential-headers';
import type { IntegrationFetch } from '#lambdas/integrations/guarded-fetch';
import type { IntegrationDirectory } from '#lambdas/integrations/integration-directory';
import type { IntegrationKind } from '#lambdas/integrations/integration-model';
import type { IntegrationSecrets } from '#lambdas/integrations/integration-secrets';
import type { CachedLookup, IntegrationRecord, IntegrationStore } from '#lambdas/integrations/integration-store';
import type { IntegrationLookup } from '#lambdas/integrations/lookup/lookup-port';
import { LOOKUPS } from '#lambdas/integrations/lookup/lookup-registry';
import { sha256Hex } from '#lambdas/shared/hash';

export interface CrmLookupDeps {
  integrations: IntegrationDirectory;
  store: Pick<IntegrationStore, 'getLookup' | 'putLookup'>;
  secrets: Pick<IntegrationSecrets, 'read'>;
  fetch: IntegrationFetch;
  credentials: CredentialHeaders;
  /** Lookup function per kind (default: lookup-registry.ts). */
  lookups?: Partial<Record<IntegrationKind, IntegrationLookup>>;
  /** How long a result is kept (seconds): found, nothing found, failed. */
  cacheSeconds?: { found: number; notFound: number; failed: number };
  /** Told of each integration that failed (ids, kind and a reason word: never the contact). */
  onFailure?: (failure: { businessId: string; integrationId: string; kind: IntegrationKind; reason: string }) => void;
}

export const DEFAULT_LOOKUP_TIMEOUT_MS = 1_000;
export const LOOKUP_CACHE_SECONDS = { found: 3_600, notFound: 600, failed: 60 } as const;

/** Whether an integration is asked on a new conversation. */
export function looksUp(integration: Pick<IntegrationRecord, 'enabled' | 'kind' | 'lookup' | 'lookupUrl'>): boolean {
  if (!integration.enabled) return false;
  return integration.kind === 'webhook' ? Boolean(integration.lookupUrl) : integration.lookup === true;
}

/** What keys a contact's cached result: the same contact with the same identities and number. */
export function identityHash(contact: Pick<Contact, 'contactId' | 'identities' | 'phoneE164'>): string {
  const ids = contact.identities.map((i) => `${i.kind}|${i.accountId ?? ''}|${i.value}`).sort();
  return sha256Hex([contact.contactId, contact.phoneE164 ?? '', ...ids].join('\n')).slice(0, 40);
}

class LookupTimeout extends Error {
  override name = 'TimeoutError';
}

/**
 * The contacts consumer's `CrmLookup` (contact-ports.ts): on a new conversation, every enabled
 * integration of the business that looks contacts up is asked at once — a CRM's search API
 * (`lookup: true`) or the business's own lookup URL (webhook `lookupUrl`) — within one budget
 * (1 s by default, AbortController): whatever has answered when it is spent is used, the rest is
 * abandoned. Answers are cached in the table per integration and contact (an hour; "nothing found"
 * ten minutes; a failure one minute, so a down endpoint does not slow every new conversation).
 * Results are merged (first integration's name, tags united, VIP if any says so) and checked again
 * (tags as contact tags, attribute keys as attribute keys, bounded values).
 */
export function createCrmLookup(deps: CrmLookupDeps): CrmLookup {
  const lookups = deps.lookups ?? LOOKUPS;
  const ttl = deps.cacheSeconds ?? LOOKUP_CACHE_SECONDS;

  async function one(businessId: string, integration: IntegrationRecord, contact: Contact, signal: AbortSignal): Promise<CrmLookupResult | undefined> {
    const hash = identityHash(contact);
    const cached = await deps.store.getLookup(businessId, integration.integrationId, hash);
    if (cached) return cached.result;
    const remember = (value: CachedLookup, seconds: number) =>
      deps.store.putLookup(businessId, integration.integrationId, hash, value, seconds).catch(() => undefined);
    try {
      const lookup = lookups[integration.kind];
      if (!lookup) throw Object.assign(new Error('no lookup for this kind'), { name: 'NoLookupForKind' });
      const secretId = integration.resources?.signingSecretId;
      const credentials = secretId ? await deps.secrets.read(secretId) : undefined;
      if (!credentials) throw Object.assign(new Error('no credentials'), { name: 'NoCredentials' });
      const authHeaders = (s?: AbortSignal) => deps.credentials.headersFor(credentials.auth, deps.fetch, s ?? signal);
      const found = sanitizeLookupResult(await lookup(integration, { ...credentials, authHeaders }, contact, deps.fetch, signal));
      await remember(found ? { outcome: 'found', result: found } : { outcome: 'not_found' }, found ? ttl.found : ttl.notFound);
      return found;
    } catch (err) {
      deps.onFailure?.({ businessId, integrationId: integration.integrationId, kind: integration.kind, reason: reasonOf(err, signal) });
      await remember({ outcome: 'failed' }, ttl.failed);
      return undefined;
    }
  }

  return {
    async lookup(businessId, contact, timeoutMs = DEFAULT_LOOKUP_TIMEOUT_MS) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new LookupTimeout('lookup budget spent')), Math.max(1, timeoutMs));
      const answered: Array<CrmLookupResult | undefined> = [];
      try {
        const spent = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
        const work = (async () => {
          const integrations = (await deps.integrations.enabled(businessId)).filter(looksUp);
          await Promise.all(
            integrations.map(async (integration, index) => {
              answered[index] = await one(businessId, integration, contact, controller.signal);
            }),
          );
        })();
        await Promise.race([work.catch(() => undefined), spent]);
        return mergeResults(answered);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function reasonOf(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout';
  const e = err as { name?: string; message?: string; reason?: unknown; status?: unknown } | null;
  const name = e?.name ?? 'Error';
  if (name === 'LookupAnswerError') return String(e?.message).slice(0, 40);
  // The CRM lookups' errors name a reason word and the HTTP status, never data.
  if (name === 'CrmLookupError' && typeof e?.reason === 'string') return `${e.reason}${typeof e.status === 'number' ? `_${e.status}` : ''}`.slice(0, 40);
  return name.slice(0, 60);
}

const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,39}$/;
const crmIdsSchema = z.object({
  hubspot: z.string().min(1).max(256).optional(),
  salesforce: z.string().min(1).max(256).optional(),
  salesforceObject: z.enum(['Contact', 'Lead']).optional(),
  zendesk: z.string().min(1).max(256).optional(),
  external: z.string().min(1).max(256).optional(),
});

/** A lookup's answer reduced to what may reach a contact; undefined when nothing usable is left. */
export function sanitizeLookupResult(result: CrmLookupResult | undefined): CrmLookupResult | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const crmIds = crmIdsSchema.safeParse(result.crmIds ?? {});
  const ids = crmIds.success ? (Object.fromEntries(Object.entries(crmIds.data).filter(([, v]) => v !== undefined)) as Partial<CrmIds>) : {};
  const name = typeof result.name === 'string' ? result.name.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
  const tags = [
    ...new Set(
      (Array.isArray(result.tags) ? result.tags : []).slice(0, 50).flatMap((t) => {
        const parsed = contactTagSchema.safeParse(t);
        return parsed.success ? [parsed.data] : [];
      }),
    ),
  ];
  const attributes: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(result.attributes && typeof result.attributes === 'object' ? result.attributes : {}).slice(0, 50)) {
    if (!ATTRIBUTE_KEY.test(key)) continue;
    if (typeof value === 'string') attributes[key] = value.slice(0, 500);
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') attributes[key] = value;
  }
  const clean: CrmLookupResult = {
    ...(Object.keys(ids).length > 0 ? { crmIds: ids } : {}),
    ...(name ? { name } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(typeof result.vip === 'boolean' ? { vip: result.vip } : {}),
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
  return Object.keys(clean).length > 0 ? clean : undefined;
}

/** Several integrations' answers as one, in integration order: the first name and CRM id win, tags unite, VIP if any says so. */
export function mergeResults(results: ReadonlyArray<CrmLookupResult | undefined>): CrmLookupResult | undefined {
  const found = results.filter((r): r is CrmLookupResult => r !== undefined);
  if (found.length === 0) return undefined;
  const merged: CrmLookupResult = {};
  for (const r of found) {
    if (r.crmIds) merged.crmIds = { ...r.crmIds, ...merged.crmIds };
    if (r.name && !merged.name) merged.name = r.name;
    if (r.tags) merged.tags = [...new Set([...(merged.tags ?? []), ...r.tags])].slice(0, 50);
    if (r.vip !== undefined) merged.vip = (merged.vip ?? false) || r.vip;
    if (r.attributes) merged.attributes = { ...r.attributes, ...merged.attributes };
  }
  return merged;
}
