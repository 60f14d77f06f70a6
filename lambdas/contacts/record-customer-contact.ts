import * as z from 'zod';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { changedFields, type ContactChange } from '#lambdas/contacts/contact-changes';
import type { ContactDeps } from '#lambdas/contacts/contact-deps';
import { contactCreatedEvent, contactUpdatedEvent } from '#lambdas/contacts/contact-events';
import type { StoredConversation, StoredCustomerMessage } from '#lambdas/contacts/contact-event-sources';
import { identitiesOfCustomer } from '#lambdas/contacts/contact-identities';
import { MAX_CONTACT_TAGS, type Attribution, type Contact } from '#lambdas/contacts/contact-model';
import { attributionFromReferral, attributionFromText, earliest, type TouchContext } from '#lambdas/contacts/first-touch';
import { combinedChange, crmChange, DEFAULT_LOOKUP_TIMEOUT_MS, isEmptyChange, lookupWithin } from '#lambdas/contacts/lookup-crm';

/** `message.received` as the normalizer publishes it (conversation/domain-events.ts): ids only. */
export const customerMessageDetailSchema = z.looseObject({
  v: z.literal(1),
  conversationKey: z.string().min(1).max(1_000),
  channel: z.enum(['whatsapp', 'instagram', 'messenger']),
  accountId: z.string().min(1).max(400),
  providerMessageId: z.string().min(1).max(1_000),
  origin: z.string().max(40).optional(),
  direction: z.string().max(40).optional(),
});

export type CustomerContactOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'skipped'; reason: 'not_customer_message' | 'unknown_account' | 'no_message' | 'no_conversation' | 'no_identity' }
  | { outcome: 'recorded'; businessId: string; contactId: string; created: boolean; changed: string[]; lookedUp: boolean; linkedConversation: boolean };

/**
 * A customer wrote: the contact of the business that owns the account is found (or created) from
 * the identities the stored message carries, named from the channel profile, given the
 * conversation's language and its first touch (the message's ad or link referral, else UTM
 * parameters of a link in the conversation's first customer message). On a new contact or a new
 * conversation the CRM is asked what it knows (at most a second). The conversation is then linked
 * to the contact (`contactId`), last: a crash before it repeats the look-up and the events instead
 * of losing them.
 */
export async function recordCustomerContact(detail: unknown, deps: ContactDeps): Promise<CustomerContactOutcome> {
  const parsed = customerMessageDetailSchema.safeParse(detail);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const event = parsed.data;
  if ((event.origin !== undefined && event.origin !== 'customer') || (event.direction !== undefined && event.direction !== 'inbound')) {
    return { outcome: 'skipped', reason: 'not_customer_message' };
  }
  const businessId = await deps.businessOfAccount(event.accountId);
  if (!businessId) return { outcome: 'skipped', reason: 'unknown_account' };
  const [message, conversation] = await Promise.all([
    deps.sources.readMessage(event.conversationKey, event.providerMessageId),
    deps.sources.readConversation(event.conversationKey),
  ]);
  if (!message) return { outcome: 'skipped', reason: 'no_message' };
  // The business is the event account's: a conversation of another account is not this business's customer.
  if (!conversation || conversation.accountId !== event.accountId) return { outcome: 'skipped', reason: 'no_conversation' };
  if (message.origin !== undefined && message.origin !== 'customer') return { outcome: 'skipped', reason: 'not_customer_message' };

  const identities = identitiesOfCustomer(conversation.channel, conversation.accountId, {
    customerId: conversation.customerId,
    ...(message.customerWaId ? { waId: message.customerWaId } : {}),
    ...(message.customerUserId ? { userId: message.customerUserId } : {}),
  });
  if (identities.length === 0) return { outcome: 'skipped', reason: 'no_identity' };

  const resolved = await deps.contacts.resolve(businessId, identities, {
    ...(conversation.customerName ? { name: conversation.customerName, nameSource: 'profile' as const } : {}),
    ...(conversation.language ? { language: conversation.language } : {}),
    at: message.occurredAt,
  });
  let contact = resolved.contact;
  const newConversation = conversation.contactId === undefined;
  // Created by this very message: also true on a redelivery after a crash before the conversation was linked.
  const created = resolved.created || (newConversation && contact.createdAt === message.occurredAt);

  let change = fillIns(contact, conversation);
  const touch = contact.firstTouch ? undefined : await firstTouchOf(message, conversation, newConversation, deps);
  if (touch) change.firstTouch = touch;

  let lookedUp = false;
  if (deps.crmLookup && (created || newConversation)) {
    const result = await lookupWithin(deps.crmLookup, businessId, contact, deps.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS, deps.onLookupFailed);
    if (result) {
      lookedUp = true;
      change = combinedChange(change, crmChange(result, await deps.contacts.getAttributeSchema(businessId)));
      change = withTagRoom(change, contact);
    }
  }

  const before = contact;
  if (!isEmptyChange(change)) {
    const updated = await deps.contacts.update(businessId, contact.contactId, undefined, change, deps.now().toISOString());
    if (updated.ok) contact = updated.value;
    // A race lost five times over is worth a retry of the whole record; anything else the store refused stays unapplied.
    else if (updated.refusal === 'changed_meanwhile') throw new Error(`contact ${contact.contactId} kept changing`);
  }
  const changed = changedFields(before, contact);
  const at = deps.now().toISOString();
  const events: DomainEvent[] = [];
  if (created) {
    events.push(
      contactCreatedEvent({
        businessId,
        contactId: contact.contactId,
        channel: conversation.channel,
        accountId: conversation.accountId,
        fields: changedFields(undefined, contact),
        at,
      }),
    );
  } else if (changed.length > 0) {
    events.push(contactUpdatedEvent({ businessId, contactId: contact.contactId, changed, version: contact.version, at }));
  }
  if (events.length > 0) await deps.publisher.publish(events);
  const linkedConversation = newConversation ? await deps.sources.linkConversation(conversation.conversationKey, contact.contactId) : false;
  return { outcome: 'recorded', businessId, contactId: contact.contactId, created, changed, lookedUp, linkedConversation };
}

/**
 * What the conversation knows that the contact lacks: the channel's profile name (it replaces a
 * profile name that changed, never one from the address book, a CRM or a person) and the language.
 */
function fillIns(contact: Contact, conversation: StoredConversation): ContactChange {
  const change: ContactChange = {};
  const profileName = conversation.customerName?.trim();
  if (profileName && (!contact.name || (contact.nameSource === 'profile' && contact.name !== profileName))) {
    change.name = { value: profileName, source: 'profile' };
  }
  if (!contact.language && conversation.language) change.language = conversation.language;
  return change;
}

/**
 * How the customer first came, as far as this message and its conversation tell: the message's own
 * referral, and for a conversation seen for the first time its first customer message (its referral,
 * or a link with UTM parameters in its text). The earliest wins.
 */
async function firstTouchOf(
  message: StoredCustomerMessage,
  conversation: StoredConversation,
  newConversation: boolean,
  deps: ContactDeps,
): Promise<Attribution | undefined> {
  const context = (m: StoredCustomerMessage): TouchContext => ({
    channel: conversation.channel,
    accountId: conversation.accountId,
    conversationKey: conversation.conversationKey,
    messageId: m.providerMessageId,
    at: m.occurredAt,
  });
  let touch = message.referral ? attributionFromReferral(message.referral, context(message)) : undefined;
  if (!newConversation) return touch;
  const first = (await deps.sources.firstCustomerMessage(conversation.conversationKey)) ?? message;
  const fromFirst =
    (first.referral ? attributionFromReferral(first.referral, context(first)) : undefined) ??
    (first.text ? attributionFromText(first.text, context(first)) : undefined);
  touch = earliest(touch, fromFirst);
  return touch;
}

/** Tags a CRM adds are cut to the room the contact has left (the store refuses a change past the cap). */
function withTagRoom(change: ContactChange, contact: Contact): ContactChange {
  if (!change.tags?.add) return change;
  const room = MAX_CONTACT_TAGS - contact.tags.length;
  const add = change.tags.add.filter((t) => !contact.tags.includes(t)).slice(0, Math.max(0, room));
  const { tags: _dropped, ...rest } = change;
  return add.length > 0 ? { ...rest, tags: { add } } : rest;
}
