import * as z from 'zod';
import { STATE_SYNC_TOPIC } from '#lambdas/accounts/business-app-contacts';
import { changedFields } from '#lambdas/contacts/contact-changes';
import type { ContactDeps } from '#lambdas/contacts/contact-deps';
import { contactCreatedEvent, contactUpdatedEvent } from '#lambdas/contacts/contact-events';
import { identitiesOfCustomer } from '#lambdas/contacts/contact-identities';

/** `notification.received` as the normalizer publishes it: the topic and ids. */
export const notificationDetailSchema = z.looseObject({
  v: z.literal(1),
  accountId: z.string().min(1).max(400),
  eventId: z.string().min(1).max(1_000),
  topic: z.string().min(1).max(200),
});

export type AddressBookOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'skipped'; reason: 'other_topic' | 'unknown_account' | 'no_notification' | 'no_customer' | 'no_name' }
  | { outcome: 'named'; businessId: string; contactId: string; created: boolean; changed: string[] };

/**
 * The WhatsApp Business App's address book (coexistence `smb_app_state_sync`) names customers: the
 * name the business saved for a number becomes the contact's name (source `address_book`: above the
 * channel profile, below a CRM or a person), the contact created when the business knows the
 * number before it ever wrote. The entry itself is kept by accounts/business-app-contacts.ts (the
 * newest change wins there); this reads it, so an older event delivered late changes nothing. A
 * removed entry leaves the contact as it is.
 */
export async function applyAddressBookName(detail: unknown, deps: ContactDeps): Promise<AddressBookOutcome> {
  const parsed = notificationDetailSchema.safeParse(detail);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const event = parsed.data;
  if (event.topic !== STATE_SYNC_TOPIC) return { outcome: 'skipped', reason: 'other_topic' };
  const businessId = await deps.businessOfAccount(event.accountId);
  if (!businessId) return { outcome: 'skipped', reason: 'unknown_account' };
  const notification = await deps.sources.readNotification(event.accountId, event.eventId);
  if (!notification) return { outcome: 'skipped', reason: 'no_notification' };
  if (!notification.customerId) return { outcome: 'skipped', reason: 'no_customer' };
  const entry = await deps.sources.readAddressBookEntry(event.accountId, notification.customerId);
  if (!entry?.name || entry.removed) return { outcome: 'skipped', reason: 'no_name' };
  const identities = identitiesOfCustomer('whatsapp', event.accountId, { customerId: notification.customerId, waId: notification.customerId });
  if (identities.length === 0) return { outcome: 'skipped', reason: 'no_customer' };

  const at = deps.now().toISOString();
  const resolved = await deps.contacts.resolve(businessId, identities, { name: entry.name, nameSource: 'address_book', at: notification.occurredAt || at });
  let contact = resolved.contact;
  const before = contact;
  if (!resolved.created) {
    const updated = await deps.contacts.update(businessId, contact.contactId, undefined, { name: { value: entry.name, source: 'address_book' } }, at);
    if (updated.ok) contact = updated.value;
    else if (updated.refusal === 'changed_meanwhile') throw new Error(`contact ${contact.contactId} kept changing`);
  }
  const changed = changedFields(before, contact);
  if (resolved.created) {
    await deps.publisher.publish([
      contactCreatedEvent({
        businessId,
        contactId: contact.contactId,
        channel: 'whatsapp',
        accountId: event.accountId,
        fields: changedFields(undefined, contact),
        at,
      }),
    ]);
  } else if (changed.length > 0) {
    await deps.publisher.publish([contactUpdatedEvent({ businessId, contactId: contact.contactId, changed, version: contact.version, at })]);
  }
  return { outcome: 'named', businessId, contactId: contact.contactId, created: resolved.created, changed };
}
