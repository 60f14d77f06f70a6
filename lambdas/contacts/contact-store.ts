import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import { checkAttributeSchema, checkAttributeValues } from '#lambdas/contacts/contact-attributes';
import { applyContactChange, changedFields, cleanName, stripUndefined } from '#lambdas/contacts/contact-changes';
import { checkConsentRecord, consentDigest, projectionFields, replacesConsent } from '#lambdas/contacts/contact-consent';
import { CONTACT_ID_PATTERN, MERGE_ID_PATTERN, newContactId, newMergeId } from '#lambdas/contacts/contact-id';
import { checkIdentity, MAX_IDENTITIES, sameIdentity, sortedIdentities, type IdentityRef } from '#lambdas/contacts/contact-identities';
import {
  ATTRIBUTE_SCHEMA_SK,
  consentDecisionSk,
  CONTACT_PROFILE_SK,
  contactMergeSk,
  contactPk,
  contactsPk,
  IDENTITY_SK,
  identityPk,
  mergeRefSk,
} from '#lambdas/contacts/contact-keys';
import { mergeContacts, unmergedSurvivor } from '#lambdas/contacts/contact-merge';
import type { AttributeSchema, ChannelIdentity, Contact, ContactChannel, ContactMerge } from '#lambdas/contacts/contact-model';
import type { ContactRefusal, ContactStore, SeenIdentity, StoreResult } from '#lambdas/contacts/contact-ports';
import { contactIdOfSearchSk, contactSearchSk, MAX_SEARCH_RESULTS, searchableName, searchPrefix } from '#lambdas/contacts/contact-search';
import { TABLE_KEYS, accountPk } from '#lambdas/conversation/table-keys';
import { consentSk } from '#lambdas/outbound/send-context';
import { boundedId } from '#lambdas/shared/bounded-id';
import { decodeCursor, encodeCursor } from '#lambdas/shared/page-cursor';

export interface ContactStoreDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** New contact and merge ids (tests pin them). */
  newContactId?: () => string;
  newMergeId?: () => string;
}

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** Read-then-conditional-write rounds before a write that keeps losing races gives up. */
const ATTEMPTS = 5;
/** `mergedInto` hops followed at most (a chain longer than this is a fault, not a merge history). */
const MAX_MERGE_HOPS = 5;
const MAX_CUSTOMER_ID_CHARS = 320;
const LOST_RACE_CODES = new Set(['None', 'ConditionalCheckFailed', 'TransactionConflict']);

const ENTITY = {
  contact: 'Contact',
  identity: 'ContactIdentity',
  merge: 'ContactMerge',
  mergeRef: 'ContactMergeRef',
  schema: 'ContactAttributeSchema',
  consent: 'Consent',
  decision: 'ConsentDecision',
} as const;

const ok = <T>(value: T): StoreResult<T> => ({ ok: true, value });
const refuse = <T>(refusal: ContactRefusal, message: string): StoreResult<T> => ({ ok: false, refusal, message });

/**
 * Contacts in the single table (key layout in contact-keys.ts).
 *
 * An identity belongs to one contact: its IDENT item is the guard. Creating a contact is one
 * transaction that puts the profile and every identity item on condition that none exists, so two
 * first messages of the same customer racing (two Lambda instances, a redelivery) create one
 * contact: the loser's transaction is cancelled and its next round finds the winner's identities.
 *
 * Every write of a profile is conditional on the version read (optimistic locking); a write without
 * an expected version from its caller reads again and retries a few times. A merge re-points the
 * absorbed contact's identity items, marks it `mergedInto` and writes the merge record with both
 * contacts as they were, all in one transaction; unmerge undoes it the same way.
 *
 * A consent decision writes the contact and the sender's projection (`ACCT#<account>/CONSENT#<customer>`,
 * outbound/send-context.ts) in one transaction, so a marketing template is refused the moment the
 * opt-out is on the contact, never later.
 */
export function dynamoContactStore(deps: ContactStoreDeps): ContactStore {
  const { db, tableName: TableName } = deps;
  const makeContactId = deps.newContactId ?? (() => newContactId());
  const makeMergeId = deps.newMergeId ?? (() => newMergeId());

  const getItem = async (pk: string, sk: string): Promise<Item | undefined> =>
    (await db.send(new GetCommand({ TableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

  async function batchGet(keys: Array<{ pk: string; sk: string }>): Promise<Item[]> {
    const items: Item[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Array<Record<string, unknown>> = keys.slice(i, i + 100);
      for (let round = 0; pending.length > 0 && round < 5; round++) {
        const out = await db.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }));
        items.push(...(out.Responses?.[TableName] ?? []));
        pending = (out.UnprocessedKeys?.[TableName]?.Keys as Array<Record<string, unknown>> | undefined) ?? [];
      }
      if (pending.length > 0) throw new Error('contact items could not be read (unprocessed keys)');
    }
    return items;
  }

  /** The stored contact as it is (absorbed or not). */
  async function getRaw(businessId: string, contactId: string): Promise<Contact | undefined> {
    if (!isBusinessId(businessId) || !CONTACT_ID_PATTERN.test(contactId)) return undefined;
    const item = await getItem(contactPk(businessId, contactId), CONTACT_PROFILE_SK);
    return item && item.businessId === businessId ? contactFrom(item) : undefined;
  }

  /** The live contact: an absorbed one's survivor. */
  async function getLive(businessId: string, contactId: string): Promise<Contact | undefined> {
    let contact = await getRaw(businessId, contactId);
    for (let hop = 0; contact?.mergedInto && hop < MAX_MERGE_HOPS; hop++) contact = await getRaw(businessId, contact.mergedInto);
    return contact && !contact.mergedInto ? contact : undefined;
  }

  async function identityOwners(businessId: string, identities: readonly IdentityRef[]): Promise<Array<string | undefined>> {
    const keys = identities.map((i) => ({ pk: identityPk(businessId, i.kind, i.value, i.accountId), sk: IDENTITY_SK }));
    const items = await batchGet(keys);
    return keys.map((k) => {
      const owner = items.find((item) => item.pk === k.pk)?.contactId;
      return typeof owner === 'string' ? owner : undefined;
    });
  }

  const contactPut = (contact: Contact, expectedVersion: number | undefined, extraCondition?: { expression: string; values: Item }): TransactItem => ({
    Put: {
      TableName,
      Item: contactItem(contact),
      ConditionExpression:
        (expectedVersion === undefined ? 'attribute_not_exists(pk)' : '#version = :expected') + (extraCondition ? ` AND ${extraCondition.expression}` : ''),
      ...(expectedVersion === undefined ? {} : { ExpressionAttributeNames: { '#version': 'version' } }),
      ...(expectedVersion === undefined && !extraCondition
        ? {}
        : { ExpressionAttributeValues: { ...(expectedVersion === undefined ? {} : { ':expected': expectedVersion }), ...extraCondition?.values } }),
    },
  });

  const identityPut = (businessId: string, contactId: string, identity: ChannelIdentity): TransactItem => ({
    Put: { TableName, Item: identityItem(businessId, contactId, identity), ConditionExpression: 'attribute_not_exists(pk)' },
  });

  /** Re-points an identity item from one contact to another (merge, unmerge). */
  const identityMove = (businessId: string, identity: ChannelIdentity, from: string, to: string): TransactItem => ({
    Put: {
      TableName,
      Item: identityItem(businessId, to, identity),
      ConditionExpression: 'contactId = :from',
      ExpressionAttributeValues: { ':from': from },
    },
  });

  async function transact(items: TransactItem[]): Promise<boolean> {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (err) {
      // Another writer got there first (an identity taken, a version moved), or a concurrent
      // transaction held one of the items: a lost race, read again.
      if (isConditionalCheckFailed(err)) return false;
      const codes = cancellationCodes(err);
      if ((err as { name?: string }).name === 'TransactionCanceledException' && codes.some((c) => c !== 'None') && codes.every((c) => LOST_RACE_CODES.has(c)))
        return false;
      throw err;
    }
  }

  async function getAttributeSchema(businessId: string): Promise<AttributeSchema> {
    if (!isBusinessId(businessId)) return { attributes: [], version: 0 };
    const item = await getItem(contactsPk(businessId), ATTRIBUTE_SCHEMA_SK);
    if (!item) return { attributes: [], version: 0 };
    const checked = checkAttributeSchema({ attributes: item.attributes });
    return {
      attributes: checked.ok ? checked.value.attributes : [],
      version: typeof item.version === 'number' ? item.version : 0,
      ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    };
  }

  const store: ContactStore = {
    async resolve(businessId, identities, seed) {
      if (!isBusinessId(businessId)) throw new Error('resolve: not a business id');
      const seen: SeenIdentity[] = [];
      for (const identity of identities.slice(0, 10)) {
        const checked = checkIdentity(identity);
        if (checked.ok && !seen.some((s) => sameIdentity(s, checked.value))) seen.push({ ...checked.value, accountId: identity.accountId });
      }
      if (seen.length === 0) throw new Error('resolve: no identity a contact can be keyed by');
      const link = (i: SeenIdentity): ChannelIdentity => ({ kind: i.kind, value: i.value, accountId: i.accountId, linkedAt: seed.at, linkedBy: 'channel' });

      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const owners = await identityOwners(businessId, seen);
        const ownerId = owners.find((o) => o !== undefined);
        if (ownerId) {
          const contact = await getLive(businessId, ownerId);
          if (!contact) throw new Error('resolve: an identity points at no live contact');
          // Identities that belong to no one join the contact; ones another contact holds stay there (a person merges).
          const unowned = seen.filter((_, i) => owners[i] === undefined).filter((i) => !contact.identities.some((c) => sameIdentity(c, i)));
          if (unowned.length === 0 || contact.identities.length + unowned.length > MAX_IDENTITIES) return { contact, created: false };
          const next = withIdentities(contact, unowned.map(link), seed.at);
          if (await transact([contactPut(next, contact.version), ...unowned.map((i) => identityPut(businessId, contact.contactId, link(i)))])) {
            return { contact: next, created: false };
          }
          continue;
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
        if (await transact([contactPut(contact, undefined), ...contact.identities.map((i) => identityPut(businessId, contact.contactId, i))])) {
          return { contact, created: true };
        }
      }
      throw new Error('resolve: the identities kept changing; try again');
    },

    get: getLive,

    async findByIdentity(businessId, kind, value, accountId) {
      if (!isBusinessId(businessId)) return undefined;
      const checked = checkIdentity({ kind, value, accountId });
      if (!checked.ok) return undefined;
      const [owner] = await identityOwners(businessId, [checked.value]);
      return owner ? getLive(businessId, owner) : undefined;
    },

    async search(businessId, text, limit) {
      if (!isBusinessId(businessId) || typeof text !== 'string') return [];
      const prefix = searchPrefix(text);
      if (!prefix) return [];
      const wanted = Math.max(1, Math.min(MAX_SEARCH_RESULTS, Math.floor(limit) || 1));
      const out = await db.send(
        new QueryCommand({
          TableName,
          IndexName: TABLE_KEYS.gsi3.name,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi3.partitionKey, '#sk': TABLE_KEYS.gsi3.sortKey },
          ExpressionAttributeValues: { ':pk': contactsPk(businessId), ':prefix': prefix },
          // Entries of absorbed contacts or stale index entries are dropped below: ask for some more.
          Limit: wanted * 2,
        }),
      );
      const ids = [
        ...new Set((out.Items ?? []).map((i) => (typeof i.contactId === 'string' ? i.contactId : contactIdOfSearchSk(String(i[TABLE_KEYS.gsi3.sortKey]))))),
      ].filter((id) => CONTACT_ID_PATTERN.test(id));
      const items = await batchGet(ids.map((id) => ({ pk: contactPk(businessId, id), sk: CONTACT_PROFILE_SK })));
      const contacts = new Map(items.filter((i) => i.businessId === businessId).map((i) => [String(i.contactId), contactFrom(i)]));
      return ids
        .map((id) => contacts.get(id))
        .filter((c): c is Contact => c !== undefined && !c.mergedInto)
        .slice(0, wanted);
    },

    async listPage(businessId, page) {
      if (!isBusinessId(businessId)) return { items: [] };
      const partition = contactsPk(businessId);
      const start =
        page.cursor === undefined
          ? undefined
          : decodeCursor(page.cursor, {
              pk: { startsWithAny: [`PERSON#${businessId}#`, `IDENT#${businessId}#`] },
              sk: {},
              [TABLE_KEYS.gsi3.partitionKey]: { equals: partition },
              [TABLE_KEYS.gsi3.sortKey]: {},
            });
      const out = await db.send(
        new QueryCommand({
          TableName,
          IndexName: TABLE_KEYS.gsi3.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi3.partitionKey },
          ExpressionAttributeValues: { ':pk': partition },
          Limit: Math.max(1, Math.min(100, Math.floor(page.limit) || 1)),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const ids = [
        ...new Set((out.Items ?? []).map((i) => (typeof i.contactId === 'string' ? i.contactId : contactIdOfSearchSk(String(i[TABLE_KEYS.gsi3.sortKey]))))),
      ].filter((id) => CONTACT_ID_PATTERN.test(id));
      const items = await batchGet(ids.map((id) => ({ pk: contactPk(businessId, id), sk: CONTACT_PROFILE_SK })));
      const contacts = new Map(items.filter((i) => i.businessId === businessId).map((i) => [String(i.contactId), contactFrom(i)]));
      const live = ids.map((id) => contacts.get(id)).filter((c): c is Contact => c !== undefined && !c.mergedInto);
      const cursor = encodeCursor(out.LastEvaluatedKey);
      return cursor ? { items: live, cursor } : { items: live };
    },

    async findManyByIdentity(businessId, kind, values) {
      const found = new Map<string, Contact>();
      if (!isBusinessId(businessId)) return found;
      const refs: Array<{ asked: string; ref: IdentityRef }> = [];
      for (const value of values.slice(0, 100)) {
        const checked = checkIdentity({ kind, value });
        if (checked.ok) refs.push({ asked: value, ref: checked.value });
      }
      if (refs.length === 0) return found;
      const owners = await identityOwners(
        businessId,
        refs.map((r) => r.ref),
      );
      const ownerIds = [...new Set(owners.filter((o): o is string => o !== undefined && CONTACT_ID_PATTERN.test(o)))];
      const profiles = await batchGet(ownerIds.map((id) => ({ pk: contactPk(businessId, id), sk: CONTACT_PROFILE_SK })));
      const byId = new Map<string, Contact>();
      for (const item of profiles) if (item.businessId === businessId) byId.set(String(item.contactId), contactFrom(item));
      // An identity still pointing at an absorbed contact (a merge moves identities, so rarely): follow it.
      for (const id of ownerIds) {
        const c = byId.get(id);
        if (c?.mergedInto) {
          const live = await getLive(businessId, id);
          if (live) byId.set(id, live);
          else byId.delete(id);
        }
      }
      refs.forEach((r, i) => {
        const contact = owners[i] ? byId.get(owners[i]!) : undefined;
        if (contact && !contact.mergedInto) found.set(r.asked, contact);
      });
      return found;
    },

    async update(businessId, contactId, expectedVersion, change, at) {
      if (!isBusinessId(businessId)) return refuse('invalid', 'businessId: not a business id');
      if (expectedVersion !== undefined && (!Number.isInteger(expectedVersion) || expectedVersion < 0)) return refuse('invalid', 'version: a whole number');
      const schema = change.attributes?.set ? await getAttributeSchema(businessId) : undefined;
      if (schema && change.attributes?.set) {
        const checked = checkAttributeValues(schema, change.attributes.set);
        if (!checked.ok) return refuse('invalid', checked.message);
      }
      if (
        change.attributes?.remove &&
        (change.attributes.remove.length > 100 || change.attributes.remove.some((k) => typeof k !== 'string' || k.length > 40))
      ) {
        return refuse('invalid', 'attributes.remove: at most 100 attribute keys');
      }
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const contact = await getLive(businessId, contactId);
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
        if (await transact([contactPut(next, contact.version)])) return ok(next);
        if (expectedVersion !== undefined) return refuse('changed_meanwhile', 'The contact changed meanwhile; reload and apply your change again');
      }
      return refuse('changed_meanwhile', 'The contact kept changing; try again');
    },

    async recordConsent(businessId, contactId, channel, customerId, input) {
      if (!isBusinessId(businessId)) return refuse('invalid', 'businessId: not a business id');
      const checked = checkConsentRecord(channel, input);
      if (!checked.ok) return refuse('invalid', checked.message);
      const record = checked.value;
      if (typeof customerId !== 'string' || customerId.length > MAX_CUSTOMER_ID_CHARS)
        return refuse('invalid', `customerId: at most ${MAX_CUSTOMER_ID_CHARS} characters`);
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const contact = await getLive(businessId, contactId);
        if (!contact) return refuse('not_found', 'No such contact in this business');
        const target = projectionTarget(contact, channel, customerId, record.accountId);
        const projection = target ? await getItem(accountPk(target.accountId), consentSk(target.customerId)) : undefined;
        const fields = projectionFields(record);
        const projected = projection?.[fields.atField];
        const moveProjection = target !== undefined && (typeof projected !== 'string' || projected < record.at);
        const replaces = replacesConsent(contact, channel, record);
        const items: TransactItem[] = [
          {
            // Every decision is kept as proof, the superseded ones too; a redelivery lands on the same item.
            Put: {
              TableName,
              Item: stripUndefined({
                pk: contactPk(businessId, contact.contactId),
                sk: consentDecisionSk(channel, record.at, consentDigest(record)),
                entity: ENTITY.decision,
                businessId,
                contactId: contact.contactId,
                channel,
                customerId: target?.customerId,
                ...record,
              }),
            },
          },
        ];
        let written = contact;
        if (replaces && JSON.stringify(contact.consent[channel]) !== JSON.stringify(record)) {
          written = {
            ...contact,
            consent: { ...contact.consent, [channel]: record },
            version: contact.version + 1,
            // biome-ignore lint/complexity/useMathMinMax: ISO-8601 timestamps compared as text; Math.max would make them NaN
            updatedAt: record.at > contact.updatedAt ? record.at : contact.updatedAt,
          };
          items.push(contactPut(written, contact.version));
        } else if (!moveProjection && contact.consent[channel] !== undefined && JSON.stringify(contact.consent[channel]) === JSON.stringify(record)) {
          // The same decision again (a redelivered event): nothing moves.
          return ok(contact);
        }
        if (moveProjection && target) {
          items.push({
            Update: {
              TableName,
              Key: { pk: accountPk(target.accountId), sk: consentSk(target.customerId) },
              UpdateExpression:
                'SET entity = :entity, accountId = :account, customerId = :customer, businessId = :business, contactId = :contact, #at = :at, #evidence = :evidence',
              // Only forward: an older decision arriving late must not undo a newer one.
              ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
              ExpressionAttributeNames: { '#at': fields.atField, '#evidence': fields.evidenceField },
              ExpressionAttributeValues: {
                ':entity': ENTITY.consent,
                ':account': target.accountId,
                ':customer': target.customerId,
                ':business': businessId,
                ':contact': contact.contactId,
                ':at': record.at,
                ':evidence': fields.evidence,
              },
            },
          });
        }
        if (await transact(items)) return ok(written);
      }
      return refuse('changed_meanwhile', 'The contact kept changing; try again');
    },

    async linkIdentity(businessId, contactId, identity, at) {
      if (!isBusinessId(businessId)) return refuse('invalid', 'businessId: not a business id');
      const checked = checkIdentity(identity);
      if (!checked.ok) return refuse('invalid', `identity.${checked.message}`);
      const linkedBy = (['channel', 'operator', 'merge', 'crm', 'import'] as const).includes(identity.linkedBy) ? identity.linkedBy : 'operator';
      const linked: ChannelIdentity = stripUndefined({ ...checked.value, linkedAt: at, linkedBy });
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const contact = await getLive(businessId, contactId);
        if (!contact) return refuse('not_found', 'No such contact in this business');
        const [owner] = await identityOwners(businessId, [linked]);
        if (owner === contact.contactId) return ok(contact);
        if (owner) return refuse('identity_taken', 'Another contact has this identity: merge the two contacts instead');
        if (contact.identities.length >= MAX_IDENTITIES) return refuse('invalid', `A contact holds at most ${MAX_IDENTITIES} identities`);
        const next = withIdentities(contact, [linked], at);
        if (await transact([contactPut(next, contact.version), identityPut(businessId, contact.contactId, linked)])) return ok(next);
      }
      return refuse('changed_meanwhile', 'The contact kept changing; try again');
    },

    async merge(businessId, survivorId, absorbedId, by, at, reason) {
      if (!isBusinessId(businessId)) return refuse('invalid', 'businessId: not a business id');
      if (survivorId === absorbedId) return refuse('same_contact', 'A contact cannot be merged into itself');
      for (let attempt = 0; attempt < 3; attempt++) {
        const [survivor, absorbed] = await Promise.all([getRaw(businessId, survivorId), getRaw(businessId, absorbedId)]);
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
          by: by.slice(0, 200),
          reason: reason?.slice(0, 500),
          absorbedBefore: absorbed,
          survivorBefore: survivor,
        });
        const survivorNext: Contact = { ...combined, version: survivor.version + 1, updatedAt: at };
        const absorbedNext: Contact = { ...absorbed, identities: [], mergedInto: survivorId, version: absorbed.version + 1, updatedAt: at };
        const recordSk = contactMergeSk(at, merge.mergeId);
        const done = await transact([
          contactPut(survivorNext, survivor.version),
          contactPut(absorbedNext, absorbed.version),
          {
            Put: {
              TableName,
              Item: { pk: contactPk(businessId, survivorId), sk: recordSk, entity: ENTITY.merge, ...merge },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName,
              Item: {
                pk: contactsPk(businessId),
                sk: mergeRefSk(merge.mergeId),
                entity: ENTITY.mergeRef,
                businessId,
                mergeId: merge.mergeId,
                survivorId,
                recordSk,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...absorbed.identities.map((i) => identityMove(businessId, survivorNext.identities.find((s) => sameIdentity(s, i)) ?? i, absorbedId, survivorId)),
        ]);
        if (done) return ok({ survivor: survivorNext, merge });
      }
      return refuse('changed_meanwhile', 'One of the contacts changed meanwhile; reload and merge again');
    },

    async unmerge(businessId, mergeId, by, at) {
      if (!isBusinessId(businessId) || !MERGE_ID_PATTERN.test(mergeId)) return refuse('not_found', 'No such merge in this business');
      const ref = await getItem(contactsPk(businessId), mergeRefSk(mergeId));
      if (!ref || typeof ref.survivorId !== 'string' || typeof ref.recordSk !== 'string') return refuse('not_found', 'No such merge in this business');
      for (let attempt = 0; attempt < 3; attempt++) {
        const recordItem = await getItem(contactPk(businessId, ref.survivorId), ref.recordSk);
        if (!recordItem) return refuse('not_found', 'No such merge in this business');
        const record = mergeFrom(recordItem);
        if (record.undoneAt) return refuse('already_undone', `This merge was undone at ${record.undoneAt}`);
        const [survivor, absorbed] = await Promise.all([getRaw(businessId, record.survivorId), getRaw(businessId, record.absorbedId)]);
        if (!survivor || survivor.mergedInto)
          return refuse('changed_meanwhile', 'The surviving contact was itself merged into another since: undo that merge first');
        if (!absorbed || absorbed.mergedInto !== record.survivorId)
          return refuse('changed_meanwhile', 'The absorbed contact is no longer merged into the survivor');
        // Identities come back only if the survivor still holds them (one may have been moved on by hand since).
        const brought = record.absorbedBefore.identities;
        const owners = brought.length > 0 ? await identityOwners(businessId, brought) : [];
        const back = brought.filter((_, i) => owners[i] === record.survivorId);
        const survivorNext: Contact = {
          ...unmergedSurvivor(survivor, record.survivorBefore, record.absorbedBefore),
          version: survivor.version + 1,
          updatedAt: at,
        };
        const restored: Contact = {
          ...structuredClone(record.absorbedBefore),
          identities: sortedIdentities(back),
          version: absorbed.version + 1,
          updatedAt: at,
        };
        delete restored.mergedInto;
        const done = await transact([
          contactPut(survivorNext, survivor.version),
          contactPut(restored, absorbed.version, { expression: 'mergedInto = :survivor', values: { ':survivor': record.survivorId } }),
          {
            Update: {
              TableName,
              Key: { pk: contactPk(businessId, record.survivorId), sk: ref.recordSk },
              UpdateExpression: 'SET undoneAt = :at, undoneBy = :by',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(undoneAt)',
              ExpressionAttributeValues: { ':at': at, ':by': by.slice(0, 200) },
            },
          },
          ...back.map((i) => identityMove(businessId, i, record.survivorId, record.absorbedId)),
        ]);
        if (done) return ok({ survivor: survivorNext, restored });
      }
      return refuse('changed_meanwhile', 'The contacts changed meanwhile; try again');
    },

    async listMerges(businessId, contactId) {
      if (!isBusinessId(businessId) || !CONTACT_ID_PATTERN.test(contactId)) return [];
      const out = await db.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :merge)',
          ExpressionAttributeValues: { ':pk': contactPk(businessId, contactId), ':merge': 'MERGE#' },
          ScanIndexForward: false,
          Limit: 50,
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map(mergeFrom);
    },

    getAttributeSchema,

    async putAttributeSchema(businessId, input, expectedVersion, at) {
      if (!isBusinessId(businessId)) return refuse('invalid', 'businessId: not a business id');
      const checked = checkAttributeSchema({ attributes: (input as { attributes?: unknown })?.attributes });
      if (!checked.ok) return refuse('invalid', checked.message);
      const current = await getAttributeSchema(businessId);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        return refuse(
          'changed_meanwhile',
          `The attribute schema changed meanwhile: at version ${current.version}, not ${expectedVersion}; reload and save again`,
        );
      }
      const saved: AttributeSchema = { attributes: checked.value.attributes, version: current.version + 1, updatedAt: at };
      try {
        await db.send(
          new PutCommand({
            TableName,
            Item: { pk: contactsPk(businessId), sk: ATTRIBUTE_SCHEMA_SK, entity: ENTITY.schema, businessId, ...saved },
            ConditionExpression: current.version === 0 ? 'attribute_not_exists(pk)' : '#version = :version',
            ...(current.version === 0
              ? {}
              : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': current.version } }),
          }),
        );
      } catch (err) {
        if (isConditionalCheckFailed(err)) return refuse('changed_meanwhile', 'The attribute schema changed meanwhile; reload and save again');
        throw err;
      }
      return ok(saved);
    },
  };
  return store;
}

/** The contact with more identities; the first phone becomes its number when it has none. */
function withIdentities(contact: Contact, identities: ChannelIdentity[], at: string): Contact {
  const next: Contact = { ...contact, identities: sortedIdentities([...contact.identities, ...identities]), version: contact.version + 1, updatedAt: at };
  const phone = identities.find((i) => i.kind === 'phone');
  if (!next.phoneE164 && phone) next.phoneE164 = phone.value;
  return next;
}

/**
 * Where the sender reads this channel's consent: the account and customer given, else the
 * contact's own identity on that channel. None (no account known): the contact alone is written.
 */
function projectionTarget(
  contact: Contact,
  channel: ContactChannel,
  customerId: string,
  accountId: string | undefined,
): { accountId: string; customerId: string } | undefined {
  const kinds = channel === 'whatsapp' ? ['whatsapp', 'whatsapp_bsuid'] : [channel];
  const own = contact.identities.find((i) => kinds.includes(i.kind) && (accountId === undefined || i.accountId === accountId));
  const account = accountId ?? own?.accountId;
  const customer = customerId.length > 0 ? customerId : own?.value;
  return account && customer ? { accountId: account, customerId: boundedId(customer) } : undefined;
}

function contactItem(contact: Contact): Item {
  const indexed = contact.name && !contact.mergedInto ? searchableName(contact.name) : '';
  return stripUndefined({
    pk: contactPk(contact.businessId, contact.contactId),
    sk: CONTACT_PROFILE_SK,
    entity: 'Contact',
    ...contact,
    ...(indexed ? { gsi3pk: contactsPk(contact.businessId), gsi3sk: contactSearchSk(indexed, contact.contactId) } : {}),
  });
}

function identityItem(businessId: string, contactId: string, identity: ChannelIdentity): Item {
  return stripUndefined({
    pk: identityPk(businessId, identity.kind, identity.value, identity.accountId),
    sk: IDENTITY_SK,
    entity: 'ContactIdentity',
    businessId,
    contactId,
    kind: identity.kind,
    value: identity.value,
    accountId: identity.accountId,
    linkedAt: identity.linkedAt,
    linkedBy: identity.linkedBy,
    // A phone is found by its digits too.
    ...(identity.kind === 'phone' ? { gsi3pk: contactsPk(businessId), gsi3sk: contactSearchSk(identity.value, contactId) } : {}),
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = <T>(v: unknown): T => (v && typeof v === 'object' && !Array.isArray(v) ? (v as T) : ({} as T));

export function contactFrom(item: Item): Contact {
  return stripUndefined({
    businessId: String(item.businessId),
    contactId: String(item.contactId),
    name: str(item.name),
    nameSource: str(item.nameSource) as Contact['nameSource'],
    phoneE164: str(item.phoneE164),
    language: str(item.language) as Contact['language'],
    identities: Array.isArray(item.identities) ? (item.identities as ChannelIdentity[]) : [],
    consent: obj<Contact['consent']>(item.consent),
    tags: Array.isArray(item.tags) ? item.tags.filter((t): t is string => typeof t === 'string') : [],
    attributes: obj<Contact['attributes']>(item.attributes),
    crmIds: obj<Contact['crmIds']>(item.crmIds),
    firstTouch: item.firstTouch && typeof item.firstTouch === 'object' ? (item.firstTouch as Contact['firstTouch']) : undefined,
    mergedInto: str(item.mergedInto),
    createdAt: String(item.createdAt ?? ''),
    updatedAt: String(item.updatedAt ?? ''),
    version: typeof item.version === 'number' ? item.version : 0,
  }) as Contact;
}

function mergeFrom(item: Item): ContactMerge {
  return stripUndefined({
    businessId: String(item.businessId),
    mergeId: String(item.mergeId),
    survivorId: String(item.survivorId),
    absorbedId: String(item.absorbedId),
    at: String(item.at),
    by: String(item.by),
    reason: str(item.reason),
    absorbedBefore: contactFrom(obj(item.absorbedBefore)),
    survivorBefore: contactFrom(obj(item.survivorBefore)),
    undoneAt: str(item.undoneAt),
    undoneBy: str(item.undoneBy),
  }) as ContactMerge;
}
