import { applyAddressBookName, type AddressBookOutcome } from '#lambdas/contacts/apply-address-book-name';
import type { ContactDeps } from '#lambdas/contacts/contact-deps';
import type { ContactWork } from '#lambdas/contacts/contact-work';
import { recordConsentDecision, type ConsentOutcome } from '#lambdas/contacts/record-consent-decision';
import { recordCustomerContact, type CustomerContactOutcome } from '#lambdas/contacts/record-customer-contact';

export type ContactWorkOutcome =
  | { work: 'invalid'; outcome: 'invalid'; issues: string[] }
  | { work: 'ignored'; outcome: 'ignored'; detailType: string }
  | ({ work: 'customer_message' } & CustomerContactOutcome)
  | ({ work: 'address_book' } & AddressBookOutcome)
  | ({ work: 'consent' } & ConsentOutcome);

/** One record of the contacts queue to its use case. Throws only what a retry may fix. */
export async function handleContactWork(work: ContactWork, deps: ContactDeps): Promise<ContactWorkOutcome> {
  switch (work.kind) {
    case 'invalid':
      return { work: 'invalid', outcome: 'invalid', issues: work.issues };
    case 'ignored':
      return { work: 'ignored', outcome: 'ignored', detailType: work.detailType };
    case 'customer_message':
      return { work: 'customer_message', ...(await recordCustomerContact(work.detail, deps)) };
    case 'address_book':
      return { work: 'address_book', ...(await applyAddressBookName(work.detail, deps)) };
    case 'consent':
      return { work: 'consent', ...(await recordConsentDecision(work.status, work.detail, deps)) };
  }
}
