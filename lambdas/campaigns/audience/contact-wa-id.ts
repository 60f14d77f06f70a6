import type { Contact } from '#lambdas/contacts/contact-model';

const WA_ID = /^\d{6,20}$/;

/**
 * The number a campaign sends to for a contact: its WhatsApp id as WhatsApp reported it (so the
 * send lands in the conversation the customer already has), else its number in E.164 without the
 * `+` (Meta accepts a phone number in `to`). Undefined: the contact has no WhatsApp number.
 */
export function waIdOfContact(contact: Pick<Contact, 'identities' | 'phoneE164'>): string | undefined {
  const whatsapp = contact.identities.find((i) => i.kind === 'whatsapp' && WA_ID.test(i.value));
  if (whatsapp) return whatsapp.value;
  const phone = contact.phoneE164 ?? contact.identities.find((i) => i.kind === 'phone')?.value;
  const digits = phone?.startsWith('+') ? phone.slice(1) : undefined;
  return digits && WA_ID.test(digits) ? digits : undefined;
}
