import type { Contact } from '#lambdas/contacts/contact-model';
import type { TemplateCategory } from '#lambdas/outbound/send-rules';

export type ConsentVerdict = { send: true } | { send: false; reason: 'opted_out' | 'no_consent' };

/**
 * Who a campaign may reach, by the template's category (docs/campaigns.md § Consent):
 * - a customer who opted out is never sent a campaign, whatever its category;
 * - marketing needs a recorded opt-in on WhatsApp (Meta's opt-in policy asks for it before any
 *   business-initiated message; we hold marketing to it strictly, as the sender does);
 * - utility and authentication templates go to anyone who has not opted out: they are about
 *   something the customer already has with the business (an order, a login).
 * A customer with no contact (a CSV number nobody has recorded) has no opt-in.
 */
export function consentVerdict(contact: Pick<Contact, 'consent'> | undefined, category: TemplateCategory): ConsentVerdict {
  const decision = contact?.consent.whatsapp;
  if (decision?.status === 'opted_out') return { send: false, reason: 'opted_out' };
  if (category === 'marketing' && decision?.status !== 'opted_in') return { send: false, reason: 'no_consent' };
  return { send: true };
}
