import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import { checkAttributeSchema, checkAttributeValues } from '#lambdas/contacts/contact-attributes';
import { applyContactChange, changedFields, cleanName, stripUndefined } from '#lambdas/contacts/contact-changes';
import { checkConsentRecord, projectionFields, replacesConsent } from '#lambdas/contacts/contact-consent';
import { CONTACT_ID_PATTERN, newContactId, newMergeId } from '#lambdas/contacts/contact-id';
import { checkIdentity, MAX_IDENTITIES, sameIdentity, sortedIdentities, type IdentityRef } from '#lambdas/contacts/contact-identities';
import { CONTACT_PROFILE_SK, contactPk, contactsPk, IDENTITY_SK, identityPk, identityScope } from '#lambdas/contacts/contact-keys';
import { mergeContacts, unmergedSurvivor } from '#lambdas/contacts/contact-merge';
import type { AttributeSchema, ChannelIdentity, ConsentRecord, Contact, ContactChannel, ContactMerge } from '#lambdas/contacts/contact-model';
import type { ContactRefusal, ContactStore, SeenIdentity, StoreResult } from '#lambdas/contacts/contact-ports';
import { contactSearchSk, MAX_SEARCH_RESULTS, searchableName, searchPrefix } from '#lambdas/contacts/contact-search';
import { decodeCursor, encodeCursor } from '#lambdas/shared/page-cursor';

/** The sender's consent view as the in-memory store keeps it (`ACCT#<account>/CONSENT#<customer>`). */
export interface ConsentProjection {
  marketingOptInAt?: string;
  marketingOptInEvidence?: string;
  marketingOptOutAt?: string;
  marketingOptOutEvidence?: string;
}

export interface InMemoryContactStore extends ContactStore {
  /** The consent projection the sender would read, by account and customer. */
  projection(accountId: string, customerId: string): ConsentProjection | undefined;
  /** Every consent decision recorded for a contact (the proof kept beside it). */
  decisions(businessId: string, contactId: string): Array<ConsentRecord & { channel: ContactChannel }>;
  /** Every stored contact of a business, absorbed ones included. */
  all(businessId: string): Contact[];
}

const ok = <T>(value: T): StoreResult<T> => ({ ok: true, value });
const refuse = <T>(refusal: ContactRefusal, message: string): StoreResult<T> => ({ ok: false, refusal, message });

/**
 * An in-memory ContactStore for use-case tests: the same checks, rules and refusals as the
 * DynamoDB store (both built on the same pure modules; the DynamoDB one is tested against
 * DynamoDB Local in test/integration/contacts-store.test.ts). Values handed out are copies.
 */
export function inMemoryContactStore(options: { newContactId?: () => string; newMergeId?: () => string } = {}): InMemoryContactStore {
  const contacts = new Map<string, Contact>();
  const identities = new Map<string, string>();
  const merges = new Map<string, ContactMerge>();
  const schemas = new Map<string, AttributeSchema>();
  const projections = new Map<string, ConsentProjection>();
  const decisions = new Map<string, Array<ConsentRecord & { channel: ContactChannel }>>();
  const makeContactId = options.newContactId ?? (() => newContactId());
  const makeMergeId = options.newMergeId ?? (() => newMergeId());
  const copy = <T>(v: T): T => structuredClone(v);
  const key = (...parts: string[]) => parts.join('\u0000');
  const identityKey = (businessId: string, i: IdentityRef) => key(businessId, i.kind, identityScope(i.kind, i.accountId), i.value);

  const getRaw = (businessId: string, contactId: string): Contact | undefined => {
    const found = contacts.get(key(businessId, contactId));
    return found ? copy(found) : undefined;
  };
  const getLive = (businessId: string, contactId: string): Contact | undefined => {
    let c = getRaw(businessId, contactId);
    for (let hop = 0; c?.mergedInto && hop < 5; hop++) c = getRaw(businessId, c.mergedInto);
    return c && !c.mergedInto ? c : undefined;
  };
  const save = (c: Contact) => contacts.set(key(c.businessId, c.contactId), copy(c));
  const withIdentities = (contact: Contact, added: ChannelIdentity[], at: string): Contact => {
    const next: Contact = { ...contact, identities: sortedIdentities([...contact.identities, ...added]), version: contact.version + 1, updatedAt: at };
    const phone = added.find((i) => i.kind === 'phone');
    if (!next.phoneE164 && phone) next.phoneE164 = phone.value;
    return next;
  };
  const getSchema = (businessId: string): AttributeSchema => copy(schemas.get(businessId) ?? { attributes: [], version: 0 });

  const store: InMemoryContactStore = {
    projection: (accountId, customerId) => copy(projections.get(key(accountId, customerId))),
    decisions: (businessId, contactId) => copy(decisions.get(key(businessId, contactId)) ?? []),
    all: (businessId) => [...contacts.values()].filter((c) => c.businessId === businessId).map(copy),

    async resolve(businessId, seenInput, seed) {
      if (!isBusinessId(businessId)) throw new Error('resolve: not a business id');
      const seen: SeenIdentity[] = [];
      for (const identity of seenInput.slice(0, 10)) {
        const checked = checkIdentity(identity);
        if (checked.ok && !seen.some((s) => sameIdentity(s, checked.value))) seen.push({ ...checked.value, accountId: identity.accountId });
      }
      if (seen.length === 0) throw new Error('resolve: no identity a contact can be keyed by');
      const link = (i: SeenIdentity): ChannelIdentity => ({ kind: i.kind, value: i.value, accountId: i.accountId, linkedAt: seed.at, linkedBy: 'channel' });
      const owners = seen.map((i) => identities.get(identityKey(businessId, i)));
      const ownerId = owners.find((o) => o !== undefined);
      if (ownerId) {
        const contact = getLive(businessId, ownerId);
        if (!contact) throw new Error('resolve: an identity points at no live contact');
        const unowned = seen.filter((_, i) => owners[i] === undefined).filter((i) => !contact.identities.some((c) => sameIdentity(c, i)));
        if (unowned.length === 0 || contact.identities.length + unowned.length > MAX_IDENTITIES) return { contact, created: false };
        const next = withIdentities(contact, unowned.map(link), seed.at);
        save(next);
        for (const i of unowned) identities.set(identityKey(businessId, i), contact.contactId);
        return { contact: copy(next), created: false };
      }
      const name = seed.name ? cleanName(seed.name) : undefined;
      const contact: Contact = stripUndefined({
        businessId,
        contactId: makeContactId(),
        name,
        nameSource: name ? (seed.nameSource ?? 'profile') : undefined,
        phoneE164: seen.find((i) => i.kind === 'phone')?.value,
        language: seed.language,
        identities: sortedIdentities(seen.map(link)),
        consent: {},
        tags: [],
        attributes: {},
        crmIds: {},
        createdAt: seed.at,
        updatedAt: seed.at,
        version: 1,
      });
      save(contact);
      for (const i of seen) identities.set(identityKey(businessId, i), contact.contactId);
      return { contact: copy(contact), created: true };
    },

    async get(businessId, contactId) {
      return CONTACT_ID_PATTERN.test(contactId) ? getLive(businessId, contactId) : undefined;
    },

    async listPage(businessId, page) {
      // The index entries the DynamoDB store pages through: each live contact's name and each of its phones.
      const partition = contactsPk(businessId);
      const entries = [...contacts.values()]
        .filter((c) => c.businessId === businessId && !c.mergedInto)
        .flatMap((c) => [
          ...(c.name && searchableName(c.name)
            ? [
                {
                  pk: contactPk(businessId, c.contactId),
                  sk: CONTACT_PROFILE_SK,
                  gsi3sk: contactSearchSk(searchableName(c.name), c.contactId),
                  id: c.contactId,
                },
              ]
            : []),
          ...c.identities
            .filter((i) => i.kind === 'phone')
            .map((i) => ({ pk: identityPk(businessId, 'phone', i.value), sk: IDENTITY_SK, gsi3sk: contactSearchSk(i.value, c.contactId), id: c.contactId })),
        ])
        .sort((a, b) => (a.gsi3sk < b.gsi3sk ? -1 : a.gsi3sk > b.gsi3sk ? 1 : a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0));
      let from = 0;
      if (page.cursor !== undefined) {
        const after = decodeCursor(page.cursor, {
          pk: { startsWithAny: [`PERSON#${businessId}#`, `IDENT#${businessId}#`] },
          sk: {},
          gsi3pk: { equals: partition },
          gsi3sk: {},
        });
        from = entries.findIndex((e) => e.gsi3sk > after.gsi3sk! || (e.gsi3sk === after.gsi3sk && e.pk > after.pk!));
        if (from < 0) from = entries.length;
      }
      const limit = Math.max(1, Math.min(100, Math.floor(page.limit) || 1));
      const slice = entries.slice(from, from + limit);
      const ids = [...new Set(slice.map((e) => e.id))];
      const items = ids.map((id) => getLive(businessId, id)).filter((c): c is Contact => c !== undefined);
      const last = slice.at(-1);
      return from + limit < entries.length && last
        ? { items, cursor: encodeCursor({ pk: last.pk, sk: last.sk, gsi3pk: partition, gsi3sk: last.gsi3sk })! }
        : { items };
    },

    async findManyByIdentity(businessId, kind, values) {
      const found = new Map<string, Contact>();
      for (const value of values.slice(0, 100)) {
        const checked = checkIdentity({ kind, value });
        if (!checked.ok) continue;
        const owner = identities.get(identityKey(businessId, checked.value));
        const contact = owner ? getLive(businessId, owner) : undefined;
        if (contact) found.set(value, contact);
      }
      return found;
    },

    async findByIdentity(businessId, kind, value, accountId) {
      const checked = checkIdentity({ kind, value, accountId });
      if (!checked.ok) return undefined;
      const owner = identities.get(identityKey(businessId, checked.value));
      return owner ? getLive(businessId, owner) : undefined;
    },

    async search(businessId, text, limit) {
      const prefix = typeof text === 'string' ? searchPrefix(text) : undefined;
      if (!prefix) return [];
      const wanted = Math.max(1, Math.min(MAX_SEARCH_RESULTS, Math.floor(limit) || 1));
      return [...contacts.values()]
        .filter((c) => c.businessId === businessId && !c.mergedInto)
        .filter((c) => (c.name && searchableName(c.name).startsWith(prefix)) || c.identities.some((i) => i.kind === 'phone' && i.value.startsWith(prefix)))
        .sort((a, b) => (a.contactId < b.contactId ? -1 : 1))
        .slice(0, wanted)
        .map(copy);
    },

    async update(businessId, contactId, expectedVersion, change, at) {
      if (change.attributes?.set) {
        const checked = checkAttributeValues(getSchema(businessId), change.attributes.set);
        if (!checked.ok) return refuse('invalid', checked.message);
      }
      const contact = getLive(businessId, contactId);
      if (!contact) return refuse('not_found', 'No such contact in this business');
      if (expectedVersion !== undefined && contact.version !== expectedVersion) {
        return refuse(
          'changed_meanwhile',
          `The contact changed meanwhile: at version ${contact.version}, not ${expectedVersion}; reload and apply your change again`,
        );
      }
      const applied = applyContactChange(contact, change);
      if (!applied.ok) return refuse('invalid', applied.message);
      if (changedFields(contact, applied.value).length === 0) return ok(contact);
      const next = { ...applied.value, version: contact.version + 1, updatedAt: at };
      save(next);
      return ok(copy(next));
    },

    async recordConsent(businessId, contactId, channel, customerId, input) {
      const checked = checkConsentRecord(channel, input);
      if (!checked.ok) return refuse('invalid', checked.message);
      const record = checked.value;
      const contact = getLive(businessId, contactId);
      if (!contact) return refuse('not_found', 'No such contact in this business');
      const list = decisions.get(key(businessId, contact.contactId)) ?? [];
      if (!list.some((d) => JSON.stringify(d) === JSON.stringify({ ...record, channel }))) list.push({ ...record, channel });
      decisions.set(key(businessId, contact.contactId), list);
      const kinds = channel === 'whatsapp' ? ['whatsapp', 'whatsapp_bsuid'] : [channel];
      const own = contact.identities.find((i) => kinds.includes(i.kind) && (record.accountId === undefined || i.accountId === record.accountId));
      const account = record.accountId ?? own?.accountId;
      const customer = customerId.length > 0 ? customerId : own?.value;
      if (account && customer) {
        const fields = projectionFields(record);
        const current = projections.get(key(account, customer)) ?? {};
        if (!current[fields.atField] || current[fields.atField]! < record.at) {
          projections.set(key(account, customer), { ...current, [fields.atField]: record.at, [fields.evidenceField]: fields.evidence });
        }
      }
      if (!replacesConsent(contact, channel, record) || JSON.stringify(contact.consent[channel]) === JSON.stringify(record)) return ok(contact);
      const next: Contact = {
        ...contact,
        consent: { ...contact.consent, [channel]: record },
        version: contact.version + 1,
        // biome-ignore lint/complexity/useMathMinMax: ISO-8601 timestamps compared as text; Math.max would make them NaN
        updatedAt: record.at > contact.updatedAt ? record.at : contact.updatedAt,
      };
      save(next);
      return ok(copy(next));
    },

    async linkIdentity(businessId, contactId, identity, at) {
      const checked = checkIdentity(identity);
      if (!checked.ok) return refuse('invalid', `identity.${checked.message}`);
      const contact = getLive(businessId, contactId);
      if (!contact) return refuse('not_found', 'No such contact in this business');
      const owner = identities.get(identityKey(businessId, checked.value));
      if (owner === contact.contactId) return ok(contact);
      if (owner) return refuse('identity_taken', 'Another contact has this identity: merge the two contacts instead');
      if (contact.identities.length >= MAX_IDENTITIES) return refuse('invalid', `A contact holds at most ${MAX_IDENTITIES} identities`);
      const next = withIdentities(contact, [stripUndefined({ ...checked.value, linkedAt: at, linkedBy: identity.linkedBy })], at);
      save(next);
      identities.set(identityKey(businessId, checked.value), contact.contactId);
      return ok(copy(next));
    },

    async merge(businessId, survivorId, absorbedId, by, at, reason) {
      if (survivorId === absorbedId) return refuse('same_contact', 'A contact cannot be merged into itself');
      const survivor = getRaw(businessId, survivorId);
      const absorbed = getRaw(businessId, absorbedId);
      if (!survivor || survivor.mergedInto) return refuse('not_found', 'No such contact in this business (or it was merged into another)');
      if (!absorbed || absorbed.mergedInto) return refuse('not_found', 'No contact to merge in this business (or it was already merged into another)');
      const combined = mergeContacts(survivor, absorbed, at);
      if (combined.identities.length > MAX_IDENTITIES) return refuse('invalid', `Together the contacts would hold more than ${MAX_IDENTITIES} identities`);
      const merge: ContactMerge = stripUndefined({
        businessId,
        mergeId: makeMergeId(),
        survivorId,
        absorbedId,
        at,
        by,
        reason,
        absorbedBefore: absorbed,
        survivorBefore: survivor,
      });
      const survivorNext: Contact = { ...combined, version: survivor.version + 1, updatedAt: at };
      save(survivorNext);
      save({ ...absorbed, identities: [], mergedInto: survivorId, version: absorbed.version + 1, updatedAt: at });
      for (const i of absorbed.identities) identities.set(identityKey(businessId, i), survivorId);
      merges.set(key(businessId, merge.mergeId), copy(merge));
      return ok({ survivor: copy(survivorNext), merge: copy(merge) });
    },

    async unmerge(businessId, mergeId, by, at) {
      const record = merges.get(key(businessId, mergeId));
      if (!record) return refuse('not_found', 'No such merge in this business');
      if (record.undoneAt) return refuse('already_undone', `This merge was undone at ${record.undoneAt}`);
      const survivor = getRaw(businessId, record.survivorId);
      const absorbed = getRaw(businessId, record.absorbedId);
      if (!survivor || survivor.mergedInto)
        return refuse('changed_meanwhile', 'The surviving contact was itself merged into another since: undo that merge first');
      if (!absorbed || absorbed.mergedInto !== record.survivorId)
        return refuse('changed_meanwhile', 'The absorbed contact is no longer merged into the survivor');
      const back = record.absorbedBefore.identities.filter((i) => identities.get(identityKey(businessId, i)) === record.survivorId);
      const survivorNext: Contact = {
        ...unmergedSurvivor(survivor, record.survivorBefore, record.absorbedBefore),
        version: survivor.version + 1,
        updatedAt: at,
      };
      const restored: Contact = { ...copy(record.absorbedBefore), identities: sortedIdentities(back), version: absorbed.version + 1, updatedAt: at };
      delete restored.mergedInto;
      save(survivorNext);
      save(restored);
      for (const i of back) identities.set(identityKey(businessId, i), record.absorbedId);
      merges.set(key(businessId, mergeId), { ...record, undoneAt: at, undoneBy: by });
      return ok({ survivor: copy(survivorNext), restored: copy(restored) });
    },

    async listMerges(businessId, contactId) {
      return [...merges.values()]
        .filter((m) => m.businessId === businessId && m.survivorId === contactId)
        .sort((a, b) => (a.at < b.at ? 1 : -1))
        .map(copy);
    },

    async getAttributeSchema(businessId) {
      return getSchema(businessId);
    },

    async putAttributeSchema(businessId, input, expectedVersion, at) {
      const checked = checkAttributeSchema({ attributes: (input as { attributes?: unknown })?.attributes });
      if (!checked.ok) return refuse('invalid', checked.message);
      const current = getSchema(businessId);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        return refuse(
          'changed_meanwhile',
          `The attribute schema changed meanwhile: at version ${current.version}, not ${expectedVersion}; reload and save again`,
        );
      }
      const saved: AttributeSchema = { attributes: checked.value.attributes, version: current.version + 1, updatedAt: at };
      schemas.set(businessId, copy(saved));
      return ok(copy(saved));
    },
  };
  return store;
}
