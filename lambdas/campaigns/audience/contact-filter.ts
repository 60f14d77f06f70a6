import type { ContactsAudience } from '#lambdas/campaigns/campaign-model';
import type { Contact } from '#lambdas/contacts/contact-model';

/** Whether a contact is in a contacts audience: every tag asked for, none excluded, every attribute equal. */
export function matchesAudience(
  contact: Pick<Contact, 'tags' | 'attributes'>,
  audience: Pick<ContactsAudience, 'tags' | 'excludeTags' | 'attributes'>,
): boolean {
  const tags = new Set(contact.tags.map((t) => t.toLowerCase()));
  if (audience.tags?.some((t) => !tags.has(t.trim().toLowerCase()))) return false;
  if (audience.excludeTags?.some((t) => tags.has(t.trim().toLowerCase()))) return false;
  for (const [key, wanted] of Object.entries(audience.attributes ?? {})) {
    if (!Object.hasOwn(contact.attributes, key) || contact.attributes[key] !== wanted) return false;
  }
  return true;
}
