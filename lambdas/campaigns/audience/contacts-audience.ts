import { AudienceMet } from '#lambdas/campaigns/audience/audience-met';
import { addSkipped, MAX_CAMPAIGN_RECIPIENTS, type AudienceChunk, type AudienceTemplate } from '#lambdas/campaigns/audience/audience-types';
import { consentVerdict } from '#lambdas/campaigns/audience/consent-rule';
import { matchesAudience } from '#lambdas/campaigns/audience/contact-filter';
import { waIdOfContact } from '#lambdas/campaigns/audience/contact-wa-id';
import { valueFor } from '#lambdas/campaigns/audience/variable-sources';
import type { ContactsAudience } from '#lambdas/campaigns/campaign-model';
import { campaignParameters, checkCampaignVariables } from '#lambdas/campaigns/campaign-variables';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { AudienceTooLargeError } from '#lambdas/campaigns/errors';

export interface ContactsAudienceInput {
  businessId: string;
  audience: ContactsAudience;
  template: AudienceTemplate;
  contacts: Pick<ContactStore, 'listPage'>;
  /** Index entries read per page (1–100). */
  pageSize?: number;
  /** Customers the list may hold at most (AudienceTooLargeError past it). */
  maxRecipients?: number;
  /** Where to go on: a `cursor` an earlier walk's chunk handed back (absent: from the start). */
  from?: string;
  /** Who earlier parts of the walk met (absent: nobody); the walk adds whom it meets. */
  met?: AudienceMet;
}

/**
 * Walks the business's contacts page by page and yields, per page, who goes on the list and who is
 * left off and why. A contact is in the audience when it matches the filters (contact-filter.ts);
 * then it needs a WhatsApp number (`not_whatsapp`), must not be on the list already under another
 * contact (`duplicate`), must have the consent the template's category needs (consent-rule.ts:
 * `opted_out`, `no_consent`), and every variable must get a value Meta accepts
 * (`invalid_variables`). Contacts outside the filters are not counted at all.
 *
 * The walk reads a contact once per index entry (its name, each phone), so a contact seen before
 * is passed over silently: only a second contact with the same number is a duplicate.
 *
 * Each chunk is one page of the index and names the `cursor` after it, so a walk can stop after
 * any chunk and go on later (`from`, with the `met` it had): the list build decides a large
 * audience over several steps that way (campaign-list-decide.ts).
 */
export async function* contactsAudience(input: ContactsAudienceInput): AsyncGenerator<AudienceChunk> {
  const { audience, template } = input;
  const parameters = campaignParameters(template.template);
  const max = input.maxRecipients ?? MAX_CAMPAIGN_RECIPIENTS;
  const met = input.met ?? new AudienceMet();
  let listed = 0;
  let cursor = input.from;
  do {
    const page = await input.contacts.listPage(input.businessId, { limit: input.pageSize ?? 100, ...(cursor ? { cursor } : {}) });
    cursor = page.cursor;
    const chunk: AudienceChunk = { recipients: [], skipped: {} };
    for (const contact of page.items) {
      if (!met.firstContact(contact.contactId)) continue;
      if (!matchesAudience(contact, audience)) continue;
      const waId = waIdOfContact(contact);
      if (!waId) {
        addSkipped(chunk.skipped, 'not_whatsapp');
        continue;
      }
      if (!met.firstWaId(waId)) {
        addSkipped(chunk.skipped, 'duplicate');
        continue;
      }
      const consent = consentVerdict(contact, template.category);
      if (!consent.send) {
        addSkipped(chunk.skipped, consent.reason);
        continue;
      }
      const variables: Record<string, string> = {};
      let complete = true;
      for (const p of parameters) {
        const source = audience.variables?.[p.name];
        const value = source ? valueFor(source, contact) : undefined;
        if (value === undefined) {
          complete = false;
          break;
        }
        variables[p.name] = value;
      }
      if (!complete || !checkCampaignVariables(template.template, variables, template.headerMediaLink).ok) {
        addSkipped(chunk.skipped, 'invalid_variables');
        continue;
      }
      if (listed >= max) throw new AudienceTooLargeError(max);
      chunk.recipients.push({ waId, contactId: contact.contactId, variables });
      listed++;
    }
    chunk.contactsRead = page.items.length;
    if (cursor) chunk.cursor = cursor;
    yield chunk;
  } while (cursor);
}
