import type { Checked } from '#lambdas/contacts/contact-attributes';
import { contactTagSchema, MAX_CONTACT_TAGS, type Attribution, type AttributeValue, type Contact, type CrmIds } from '#lambdas/contacts/contact-model';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { truncateUtf8 } from '#lambdas/shared/bounded-id';

export type ContactChange = Parameters<ContactStore['update']>[3];

export const MAX_NAME_CHARS = 200;
const MAX_CRM_ID_CHARS = 128;
const MAX_ATTRIBUTION_TEXT_CHARS = 300;
const MAX_URL_CHARS = 2_000;

/** Where a name came from, worst first: a better (or the same) source replaces a name, a worse one does not. */
export const NAME_SOURCE_RANK: Record<NonNullable<Contact['nameSource']>, number> = { profile: 0, address_book: 1, crm: 2, operator: 3 };
const LANGUAGES = ['es', 'pt', 'en'] as const;

/** The fields an event may name as changed (never their values). */
export const CONTACT_FIELDS = ['name', 'phoneE164', 'language', 'identities', 'consent', 'tags', 'attributes', 'crmIds', 'firstTouch'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

/** A name as kept: trimmed, inner whitespace collapsed, bounded; empty is none. */
export function cleanName(name: string): string | undefined {
  const cleaned = truncateUtf8(name.replace(/\s+/g, ' ').trim(), MAX_NAME_CHARS * 4)
    .slice(0, MAX_NAME_CHARS)
    .trim();
  return cleaned.length > 0 ? cleaned : undefined;
}

/** Tags as kept: lower-case, each once, in the order given; the first bad one refuses the whole list. */
export function cleanTags(tags: readonly unknown[], field = 'tags'): Checked<string[]> {
  if (tags.length > MAX_CONTACT_TAGS * 2) return { ok: false, message: `${field}: at most ${MAX_CONTACT_TAGS} tags` };
  const out: string[] = [];
  for (const [i, tag] of tags.entries()) {
    const parsed = contactTagSchema.safeParse(tag);
    if (!parsed.success) return { ok: false, message: `${field}.${i}: ${parsed.error.issues[0]?.message ?? 'not a tag'}` };
    if (!out.includes(parsed.data)) out.push(parsed.data);
  }
  return { ok: true, value: out };
}

/**
 * A change applied to a contact, as a new contact (the version and `updatedAt` are the store's to
 * move). Attribute values must already have been checked against the business's schema.
 */
export function applyContactChange(contact: Contact, change: ContactChange): Checked<Contact> {
  const next: Contact = structuredClone(contact);
  if (change.name) {
    const name = cleanName(change.name.value);
    if (!name) return { ok: false, message: 'name: not empty' };
    const current = next.nameSource ? NAME_SOURCE_RANK[next.nameSource] : -1;
    if (!next.name || NAME_SOURCE_RANK[change.name.source] >= current) {
      next.name = name;
      next.nameSource = change.name.source;
    }
  }
  if (change.language !== undefined) {
    if (!(LANGUAGES as readonly string[]).includes(change.language)) return { ok: false, message: `language: one of ${LANGUAGES.join(', ')}` };
    next.language = change.language;
  }
  if (change.tags) {
    const { add = [], remove = [], set } = change.tags;
    const cleanedSet = set ? cleanTags(set, 'tags.set') : undefined;
    const cleanedAdd = cleanTags(add, 'tags.add');
    const cleanedRemove = cleanTags(remove, 'tags.remove');
    for (const c of [cleanedSet, cleanedAdd, cleanedRemove]) if (c && !c.ok) return c;
    let tags = cleanedSet?.ok ? cleanedSet.value : [...next.tags];
    if (cleanedAdd.ok) for (const t of cleanedAdd.value) if (!tags.includes(t)) tags.push(t);
    if (cleanedRemove.ok) tags = tags.filter((t) => !cleanedRemove.value.includes(t));
    if (tags.length > MAX_CONTACT_TAGS) return { ok: false, message: `tags: a contact carries at most ${MAX_CONTACT_TAGS} tags; remove some first` };
    next.tags = tags;
  }
  if (change.attributes) {
    for (const [key, value] of Object.entries(change.attributes.set ?? {})) next.attributes[key] = value as AttributeValue;
    for (const key of change.attributes.remove ?? []) delete next.attributes[key];
  }
  if (change.crmIds) {
    const checked = cleanCrmIds(change.crmIds);
    if (!checked.ok) return checked;
    next.crmIds = { ...next.crmIds, ...checked.value };
  }
  if (change.firstTouch && !next.firstTouch) next.firstTouch = boundedAttribution(change.firstTouch);
  return { ok: true, value: next };
}

export function cleanCrmIds(ids: Partial<CrmIds>): Checked<Partial<CrmIds>> {
  const out: Partial<CrmIds> = {};
  for (const key of ['hubspot', 'salesforce', 'zendesk', 'external'] as const) {
    const value = ids[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CRM_ID_CHARS || !/^[\w.:@-]+$/.test(value)) {
      return { ok: false, message: `crmIds.${key}: an id of 1 to ${MAX_CRM_ID_CHARS} letters, digits and . : @ - _` };
    }
    out[key] = value;
  }
  if (ids.salesforceObject !== undefined) {
    if (ids.salesforceObject !== 'Contact' && ids.salesforceObject !== 'Lead') return { ok: false, message: 'crmIds.salesforceObject: Contact or Lead' };
    out.salesforceObject = ids.salesforceObject;
  }
  return { ok: true, value: out };
}

/** Attribution texts bounded (headlines and URLs come from Meta's payloads and customers' links). */
export function boundedAttribution(a: Attribution): Attribution {
  const text = (v: string | undefined, max = MAX_ATTRIBUTION_TEXT_CHARS) => (v === undefined ? undefined : v.slice(0, max));
  const utm = a.utm
    ? Object.fromEntries(
        Object.entries(a.utm)
          .filter(([, v]) => typeof v === 'string' && v.length > 0)
          .map(([k, v]) => [k, text(v as string, 200)]),
      )
    : undefined;
  return stripUndefined({
    channel: a.channel,
    accountId: a.accountId.slice(0, 64),
    conversationKey: a.conversationKey.slice(0, 700),
    messageId: text(a.messageId, 320),
    at: a.at.slice(0, 40),
    source: a.source.slice(0, 40),
    adId: text(a.adId, 128),
    headline: text(a.headline),
    ctwaClid: text(a.ctwaClid, 512),
    sourceUrl: text(a.sourceUrl, MAX_URL_CHARS),
    ref: text(a.ref),
    utm: utm && Object.keys(utm).length > 0 ? utm : undefined,
  }) as Attribution;
}

/** Which fields differ between two states of a contact (names only: events never carry values). */
export function changedFields(before: Contact | undefined, after: Contact): ContactField[] {
  if (!before) return [...CONTACT_FIELDS].filter((f) => present(after[f]));
  return CONTACT_FIELDS.filter((f) => JSON.stringify(canonical(before[f])) !== JSON.stringify(canonical(after[f])));
}

function present(value: unknown): boolean {
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return true;
}

/** Objects with sorted keys, so a reordered map is not a change. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

export function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
