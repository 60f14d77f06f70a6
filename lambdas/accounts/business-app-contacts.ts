import type { BusinessAppContactStore } from '#lambdas/accounts/business-app-contacts-store';
import type { NormalizedEvent } from '#lambdas/conversation/model';

/**
 * Contacts of the WhatsApp Business App's address book (coexistence `smb_app_state_sync`) kept
 * beside the customer's consent; items and keys in business-app-contacts-store.ts. A `remove`
 * leaves a tombstone so an older `add` delivered later cannot bring the contact back.
 */
export { contactSk } from '#lambdas/accounts/business-app-contacts-store';
export const STATE_SYNC_TOPIC = 'whatsapp.smb_app_state_sync';

export type ContactOutcome = 'applied' | 'stale' | 'not_contact';

export async function recordBusinessAppContact(
  event: NormalizedEvent,
  deps: { businessAppContacts: BusinessAppContactStore; retentionDays: number },
): Promise<ContactOutcome> {
  if (event.kind !== 'notification' || event.topic !== STATE_SYNC_TOPIC) return 'not_contact';
  if (String(event.details['sync_type'] ?? '').toLowerCase() !== 'contact' || !event.customer?.id) return 'not_contact';
  const action = String(event.details['action'] ?? 'add').toLowerCase();
  const name = event.customer.name;
  const applied = await deps.businessAppContacts.recordChange({
    accountId: event.accountId,
    customerId: event.customer.id,
    version: `${event.occurredAt}#${event.eventId}`,
    action,
    removed: action === 'remove',
    ...(name ? { addressBookName: name } : {}),
    occurredAt: event.occurredAt,
    retentionDays: deps.retentionDays,
  });
  return applied ? 'applied' : 'stale';
}
