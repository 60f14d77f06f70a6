import { fittingAttributeValues } from '#lambdas/contacts/contact-attributes';
import { cleanCrmIds, cleanTags, type ContactChange } from '#lambdas/contacts/contact-changes';
import type { AttributeSchema, Contact } from '#lambdas/contacts/contact-model';
import type { CrmLookup, CrmLookupResult } from '#lambdas/contacts/contact-ports';
import { VIP_TAG } from '#lambdas/routing/engine/match-routing-rule';

export const DEFAULT_LOOKUP_TIMEOUT_MS = 1_000;

/**
 * The CRM's answer within the time given, else undefined. The port promises its own timeout; this
 * one holds whatever the implementation does (a hung socket must not hold the customer's record).
 */
export async function lookupWithin(
  lookup: CrmLookup,
  businessId: string,
  contact: Contact,
  timeoutMs: number,
  onFailed?: (reason: 'timeout' | 'error', error?: unknown) => void,
): Promise<CrmLookupResult | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([lookup.lookup(businessId, structuredClone(contact), timeoutMs), timedOut]);
    if (result === 'timeout') {
      onFailed?.('timeout');
      return undefined;
    }
    return result;
  } catch (err) {
    onFailed?.('error', err);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a CRM's answer changes on the contact: its ids, its name (source `crm`: above the channel's
 * profile and the address book, below an operator's), its tags (with `vip` when it says VIP, which
 * routing reads as a VIP customer), and the attributes the business's schema defines. Anything that
 * does not fit (a bad tag, an unknown attribute, an id with odd characters) is left out rather than
 * refusing the rest: no admin controls what a CRM sends.
 */
export function crmChange(result: CrmLookupResult, schema: Pick<AttributeSchema, 'attributes'>): ContactChange {
  const change: ContactChange = {};
  if (result.crmIds) {
    const ids = Object.fromEntries(
      Object.entries(result.crmIds).filter(([k, v]) => {
        const one = cleanCrmIds({ [k]: v });
        return one.ok;
      }),
    );
    if (Object.keys(ids).length > 0) change.crmIds = ids;
  }
  if (typeof result.name === 'string' && result.name.trim().length > 0) change.name = { value: result.name, source: 'crm' };
  const tags = [...(Array.isArray(result.tags) ? result.tags : []), ...(result.vip === true ? [VIP_TAG] : [])]
    .map((t) => cleanTags([t]))
    .flatMap((c) => (c.ok ? c.value : []));
  if (tags.length > 0) change.tags = { add: [...new Set(tags)].slice(0, 20) };
  if (result.attributes && typeof result.attributes === 'object') {
    const set = fittingAttributeValues(schema, result.attributes);
    if (Object.keys(set).length > 0) change.attributes = { set };
  }
  return change;
}

/** Two changes as one (the second's fields win). */
export function combinedChange(a: ContactChange, b: ContactChange): ContactChange {
  return {
    ...a,
    ...b,
    ...(a.tags || b.tags ? { tags: { add: [...(a.tags?.add ?? []), ...(b.tags?.add ?? [])] } } : {}),
    ...(a.attributes || b.attributes ? { attributes: { set: { ...a.attributes?.set, ...b.attributes?.set } } } : {}),
    ...(a.crmIds || b.crmIds ? { crmIds: { ...a.crmIds, ...b.crmIds } } : {}),
  };
}

export const isEmptyChange = (change: ContactChange): boolean => Object.values(change).every((v) => v === undefined);
