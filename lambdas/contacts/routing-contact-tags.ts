import { primaryIdentityKinds } from '#lambdas/contacts/contact-identities';
import type { ContactChannel } from '#lambdas/contacts/contact-model';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { VIP_TAG } from '#lambdas/routing/engine/match-routing-rule';

const CHANNELS: readonly string[] = ['whatsapp', 'instagram', 'messenger'];

/**
 * The tags routing rules see for a conversation's customer: their contact's tags, found through
 * the channel identity (a WhatsApp wa_id or business-scoped id; an Instagram or Messenger id with
 * the account that saw it). A contact whose boolean attribute `vip` is true counts as tagged `vip`
 * too, so a VIP flag set by an admin or a CRM raises the priority like the tag does.
 */
export async function contactRoutingTags(
  contacts: Pick<ContactStore, 'findByIdentity'>,
  businessId: string,
  channel: string,
  customerId: string,
  accountId?: string,
): Promise<string[]> {
  if (!CHANNELS.includes(channel) || !customerId) return [];
  for (const kind of primaryIdentityKinds(channel as ContactChannel)) {
    if (kind === 'whatsapp' && !/^\d{6,20}$/.test(customerId)) continue;
    const contact = await contacts.findByIdentity(businessId, kind, customerId, accountId);
    if (!contact) continue;
    return [...new Set([...contact.tags, ...(contact.attributes[VIP_TAG] === true ? [VIP_TAG] : [])])];
  }
  return [];
}
