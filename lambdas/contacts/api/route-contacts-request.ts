import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { checkAttributeChange } from '#lambdas/contacts/api/attribute-values';
import { announce, contactMergedEvent, contactUnmergedEvent, contactUpdatedEvent } from '#lambdas/contacts/api/contact-change-events';
import { refusalError } from '#lambdas/contacts/api/contact-request-error';
import {
  attributesBodySchema,
  consentBodySchema,
  contactIdSchema,
  contactQuerySchema,
  conversationKeySchema,
  linkIdentityBodySchema,
  mergeBodySchema,
  renameBodySchema,
  searchQuerySchema,
  tagsBodySchema,
  unmergeBodySchema,
} from '#lambdas/contacts/api/contact-request-schemas';
import { channelOfIdentity, contactSummary, contactView, type ContactView } from '#lambdas/contacts/api/contact-views';
import { CONTACTS_AGENT_ROUTES, matchContactRoute } from '#lambdas/contacts/api/contacts-api-contract';
import { changedFields } from '#lambdas/contacts/contact-changes';
import { CONTACT_ID_PATTERN } from '#lambdas/contacts/contact-id';
import { primaryIdentityKinds } from '#lambdas/contacts/contact-identities';
import { CHANNELS, MAX_CONTACT_TAGS, type Contact } from '#lambdas/contacts/contact-model';
import type { ContactStore, StoreResult } from '#lambdas/contacts/contact-ports';
import { getConversation } from '#lambdas/human-agent/conversation-views';
import type { ConversationViewsStore } from '#lambdas/human-agent/conversation-views-store';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { isPlatform, mayDo, requireAction, requireActsFor, requireOwnTarget } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { ownerOfConversation } from '#lambdas/identity/resolve-target';
import { describeIssues, jsonResponse, readJsonBody } from '#lambdas/shared/http-json';
import { ContactRequestError } from '#lambdas/contacts/errors';

export interface ContactsApiDeps {
  contacts: ContactStore;
  /** The channel account registry: a conversation's business, and the accounts an identity may name. */
  accounts: AccountReader;
  publisher: EventPublisher;
  /** The operator's views of conversations, to read a conversation's `contactId`. */
  views: ConversationViewsStore;
  now?: () => Date;
}

const ROUTES = Object.values(CONTACTS_AGENT_ROUTES);
const json = jsonResponse;

function parse<T>(schema: z.ZodType<T>, value: unknown, wholeValue: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ContactRequestError(400, 'invalid_request', describeIssues(parsed.error.issues, wholeValue));
  return parsed.data;
}

function bodyOf(event: APIGatewayProxyEventV2): Record<string, unknown> {
  const body = readJsonBody(event);
  if (!body.ok) throw new ContactRequestError(400, 'invalid_json', 'The body is not JSON');
  if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value))
    throw new ContactRequestError(400, 'invalid_request', '(body): a JSON object');
  return body.value as Record<string, unknown>;
}

/** A store's answer, or its refusal as the API answers it. */
function stored<T>(result: StoreResult<T>): T {
  if (!result.ok) throw refusalError(result.refusal, result.message);
  return result.value;
}

/**
 * The contact of a conversation's customer through their channel identity, as routing finds it
 * (routing-contact-tags.ts): a WhatsApp wa_id or business-scoped id, an Instagram or Messenger id
 * with the account that saw it. WhatsApp groups (`g.<id>`) are no one person.
 */
async function contactOfCustomer(
  store: ContactStore,
  business: string,
  conversation: { channel: string; accountId: string; customerId: string },
): Promise<Contact | undefined> {
  const channel = CHANNELS.find((c) => c === conversation.channel);
  if (!channel || !conversation.customerId || conversation.customerId.startsWith('g.')) return undefined;
  for (const kind of primaryIdentityKinds(channel)) {
    if (kind === 'whatsapp' && !/^\d{6,20}$/.test(conversation.customerId)) continue;
    const contact = await store.findByIdentity(business, kind, conversation.customerId, conversation.accountId);
    if (contact) return contact;
  }
  return undefined;
}

/**
 * The contacts routes of the human-agent API (`CONTACTS_AGENT_ROUTES`) → their response;
 * `undefined` for any other route. Contacts are read and written in one business only: the
 * caller's, or the one a `platform` operator names; a contact id of another business is not found.
 * A conversation's contact is reached through the conversation, whose business the registry names.
 * Every change is announced (`contact.updated`, `contact.merged`, `contact.unmerged`, ids only)
 * and lands in the audit trail with the contact as its target.
 */
export async function routeContactsRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: ContactsApiDeps,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const matched = matchContactRoute(ROUTES, event.requestContext.http.method.toUpperCase(), event.rawPath);
  if (!matched) return undefined;
  const is = (route: { method: string; path: string }) => matched.route === route;
  const query = event.queryStringParameters ?? {};
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const admin = mayDo(identity, 'contacts.admin');
  const store = deps.contacts;

  /** The business acted on, recorded for the audit trail before it is authorised. */
  const businessFor = (named: string | undefined, target: string): string => {
    if (named === undefined && isPlatform(identity)) {
      throw new ContactRequestError(400, 'invalid_request', 'businessId: a platform operator names the business it acts on');
    }
    const business = named ?? identity.businessId;
    audit.target = target.slice(0, 256);
    audit.targetBusinessId = business;
    requireActsFor(identity, business);
    return business;
  };
  /** The contact, or the one it was merged into (the store follows `mergedInto`). */
  const live = async (business: string, contactId: string): Promise<Contact> => {
    const contact = await store.get(business, contactId);
    if (!contact) throw refusalError('not_found', '');
    return contact;
  };
  /** A contact to change: one merged into another is refused (the person's view is out of date). */
  const writable = async (business: string, contactId: string): Promise<Contact> => {
    const contact = await live(business, contactId);
    if (contact.contactId !== contactId) {
      throw new ContactRequestError(409, 'contact_merged', 'This contact was merged into another: open that one', { mergedInto: contact.contactId });
    }
    return contact;
  };
  const viewOf = async (business: string, contact: Contact, askedFor?: string): Promise<ContactView> => {
    const [schema, merges] = await Promise.all([store.getAttributeSchema(business), store.listMerges(business, contact.contactId)]);
    const redirectedFrom = askedFor && askedFor !== contact.contactId ? askedFor : undefined;
    return contactView(contact, { schema, merges, admin, ...(redirectedFrom ? { redirectedFrom } : {}) });
  };
  /** Announces what an operator changed, if anything did, and answers with the contact as it is now. */
  const changed = async (business: string, before: Contact, after: Contact): Promise<APIGatewayProxyStructuredResultV2> => {
    const fields = changedFields(before, after);
    if (fields.length) {
      await announce(
        deps.publisher,
        contactUpdatedEvent({ businessId: business, contactId: after.contactId, changed: fields, version: after.version, at: now() }),
      );
    }
    return json(200, await viewOf(business, after));
  };

  try {
    /** The contact the path names (checked before anything is read). */
    const contactId = () => parse(contactIdSchema, matched.params.contactId, 'contactId');

    if (is(CONTACTS_AGENT_ROUTES.search)) {
      requireAction(identity, 'contacts.read');
      const q = parse(searchQuerySchema, query, '(query)');
      const business = businessFor(q.businessId, 'contacts search');
      // The store reads a phone-looking text as an E.164 prefix and a name without accents (contact-search.ts).
      const found = await store.search(business, q.q, q.limit);
      return json(200, { items: found.filter((c) => !c.mergedInto).map(contactSummary) });
    }

    if (is(CONTACTS_AGENT_ROUTES.read)) {
      requireAction(identity, 'contacts.read');
      const id = contactId();
      const q = parse(contactQuerySchema, query, '(query)');
      const business = businessFor(q.businessId, `contact ${id}`);
      return json(200, await viewOf(business, await live(business, id), id));
    }

    if (is(CONTACTS_AGENT_ROUTES.ofConversation)) {
      requireAction(identity, 'contacts.read');
      const key = parse(conversationKeySchema, matched.params.key, 'key');
      audit.target = key.slice(0, 256);
      const owner = await ownerOfConversation(key, deps.accounts);
      audit.targetBusinessId = owner?.businessId;
      requireOwnTarget(identity, owner?.businessId, 'conversation');
      const business = owner!.businessId;
      const conversation = await getConversation(key, deps);
      if (!conversation) throw new ContactRequestError(404, 'conversation_not_found', 'No conversation with that key in your business');
      // The contacts consumer writes the contact's id on the conversation; before it has, the customer's identity finds it.
      const onConversation = (conversation as { contactId?: unknown }).contactId;
      let contact = typeof onConversation === 'string' && CONTACT_ID_PATTERN.test(onConversation) ? await store.get(business, onConversation) : undefined;
      const askedFor = contact ? (onConversation as string) : undefined;
      contact ??= await contactOfCustomer(store, business, conversation);
      if (!contact) throw new ContactRequestError(404, 'contact_not_found', 'This conversation has no contact yet');
      return json(200, await viewOf(business, contact, askedFor));
    }

    if (is(CONTACTS_AGENT_ROUTES.rename)) {
      requireAction(identity, 'contacts.write');
      const id = contactId();
      const b = parse(renameBodySchema, bodyOf(event), '(body)');
      const business = businessFor(b.businessId, `contact ${id}`);
      const contact = await writable(business, id);
      return changed(business, contact, stored(await store.update(business, id, b.expectedVersion, { name: { value: b.name, source: 'operator' } }, now())));
    }

    if (is(CONTACTS_AGENT_ROUTES.tags)) {
      requireAction(identity, 'contacts.write');
      const id = contactId();
      const b = parse(tagsBodySchema, bodyOf(event), '(body)');
      const business = businessFor(b.businessId, `contact ${id}`);
      const both = b.add.filter((t) => b.remove.includes(t));
      if (both.length) throw new ContactRequestError(400, 'invalid_request', `add, remove: ${both.join(', ')} both added and removed`);
      const contact = await writable(business, id);
      const next = new Set([...contact.tags, ...b.add].filter((t) => !b.remove.includes(t)));
      if (next.size > MAX_CONTACT_TAGS)
        throw new ContactRequestError(400, 'too_many_tags', `A contact has at most ${MAX_CONTACT_TAGS} tags: remove some first`);
      return changed(business, contact, stored(await store.update(business, id, undefined, { tags: { add: b.add, remove: b.remove } }, now())));
    }

    if (is(CONTACTS_AGENT_ROUTES.attributes)) {
      requireAction(identity, 'contacts.write');
      const id = contactId();
      const b = parse(attributesBodySchema, bodyOf(event), '(body)');
      const business = businessFor(b.businessId, `contact ${id}`);
      const contact = await writable(business, id);
      const checked = checkAttributeChange(b.attributes, await store.getAttributeSchema(business), { admin });
      if (!checked.ok && checked.forbidden.length) {
        throw new ContactRequestError(
          403,
          'forbidden',
          `Agents may not change ${checked.forbidden.join(', ')}: an admin marks the attributes agents may edit`,
          { attributes: checked.forbidden },
        );
      }
      if (!checked.ok) throw new ContactRequestError(400, 'invalid_request', checked.problems.join('; ').slice(0, 1000));
      const change = {
        attributes: { ...(Object.keys(checked.set).length ? { set: checked.set } : {}), ...(checked.remove.length ? { remove: checked.remove } : {}) },
      };
      return changed(business, contact, stored(await store.update(business, id, b.expectedVersion, change, now())));
    }

    if (is(CONTACTS_AGENT_ROUTES.merge)) {
      requireAction(identity, 'contacts.write');
      const id = contactId();
      const b = parse(mergeBodySchema, bodyOf(event), '(body)');
      if (b.otherContactId === id) throw new ContactRequestError(400, 'same_contact', 'otherContactId: another contact than the one merged into');
      const business = businessFor(b.businessId, `contact ${id} merge ${b.otherContactId}`);
      const survivor = await writable(business, id);
      await writable(business, b.otherContactId);
      if (b.expectedVersion !== undefined && survivor.version !== b.expectedVersion) {
        throw new ContactRequestError(409, 'changed_meanwhile', 'The contact changed since you looked: check both again before merging', {
          version: survivor.version,
        });
      }
      const at = now();
      const merged = stored(await store.merge(business, id, b.otherContactId, identity.actor, at, b.reason));
      await announce(
        deps.publisher,
        contactMergedEvent({
          businessId: business,
          survivorId: id,
          absorbedId: b.otherContactId,
          mergeId: merged.merge.mergeId,
          version: merged.survivor.version,
          at,
        }),
      );
      return json(200, { ...(await viewOf(business, merged.survivor)), mergeId: merged.merge.mergeId });
    }

    if (is(CONTACTS_AGENT_ROUTES.unmerge)) {
      requireAction(identity, 'contacts.write');
      const id = contactId();
      const b = parse(unmergeBodySchema, bodyOf(event), '(body)');
      const business = businessFor(b.businessId, `contact ${id} unmerge ${b.mergeId}`);
      await writable(business, id);
      // Only the merges into this contact: a merge id of another contact (or business) is not found here.
      const merge = (await store.listMerges(business, id)).find((m) => m.mergeId === b.mergeId);
      if (!merge) throw refusalError('not_found', '', 'merge');
      if (merge.undoneAt) throw refusalError('already_undone', '');
      const at = now();
      const result = await store.unmerge(business, b.mergeId, identity.actor, at);
      if (!result.ok) throw refusalError(result.refusal, result.message, result.refusal === 'not_found' ? 'merge' : 'contact');
      await announce(
        deps.publisher,
        contactUnmergedEvent({
          businessId: business,
          survivorId: result.value.survivor.contactId,
          restoredId: result.value.restored.contactId,
          mergeId: b.mergeId,
          at,
        }),
      );
      const [survivorView, restoredView] = await Promise.all([viewOf(business, result.value.survivor), viewOf(business, result.value.restored)]);
      return json(200, { survivor: survivorView, restored: restoredView });
    }

    if (is(CONTACTS_AGENT_ROUTES.linkIdentity)) {
      requireAction(identity, 'contacts.write');
      const id = contactId();
      const b = parse(linkIdentityBodySchema, bodyOf(event), '(body)');
      const business = businessFor(b.businessId, `contact ${id} link ${b.kind}`);
      if (b.accountId) {
        // The account must be one of this business's, on the identity's channel: Instagram and Messenger ids are scoped to it.
        const account = await deps.accounts.account(b.accountId);
        const channel = channelOfIdentity(b.kind);
        if (!account || account.businessId !== business || account.channel !== channel) {
          throw new ContactRequestError(400, 'invalid_request', `accountId: not a ${channel} account of this business`);
        }
      }
      const contact = await writable(business, id);
      const identityTaken = async (): Promise<never> => {
        const owner = await store.findByIdentity(business, b.kind, b.value, b.accountId);
        throw new ContactRequestError(409, 'identity_taken', 'That identity belongs to another contact: merge the two contacts instead', {
          ...(owner && owner.contactId !== contact.contactId ? { ownerContactId: owner.contactId } : {}),
          suggestion: 'merge',
        });
      };
      const owner = await store.findByIdentity(business, b.kind, b.value, b.accountId);
      if (owner && owner.contactId !== contact.contactId) await identityTaken();
      const result = await store.linkIdentity(
        business,
        id,
        { kind: b.kind, value: b.value, ...(b.accountId ? { accountId: b.accountId } : {}), linkedBy: 'operator' },
        now(),
      );
      // Linked to another contact between the look and the write.
      if (!result.ok && result.refusal === 'identity_taken') await identityTaken();
      return changed(business, contact, stored(result));
    }

    if (is(CONTACTS_AGENT_ROUTES.consent)) {
      requireAction(identity, 'contacts.write');
      const id = contactId();
      const b = parse(consentBodySchema, bodyOf(event), '(body)');
      const business = businessFor(b.businessId, `contact ${id} consent ${b.channel}`);
      const contact = await writable(business, id);
      // Kept on the contact, and projected for the sender for every id the customer has on that channel (each account's).
      const kinds = primaryIdentityKinds(b.channel);
      const onChannel = contact.identities.filter((i) => kinds.includes(i.kind));
      if (!onChannel.length) {
        throw new ContactRequestError(409, 'no_channel_identity', `The contact has no ${b.channel} identity: link one first`, { channel: b.channel });
      }
      const at = now();
      let saved = contact;
      for (const i of onChannel) {
        saved = stored(
          await store.recordConsent(business, contact.contactId, b.channel, i.value, {
            status: b.status,
            scope: 'marketing',
            at,
            source: 'operator',
            evidenceText: b.evidenceText,
            ...(i.accountId ? { accountId: i.accountId } : {}),
            recordedBy: identity.actor,
          }),
        );
      }
      return changed(business, contact, saved);
    }
    return undefined;
  } catch (err) {
    if (err instanceof ContactRequestError) return json(err.status, { error: err.code, message: err.message, ...err.details });
    throw err;
  }
}
