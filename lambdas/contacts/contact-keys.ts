import { boundedId } from '#lambdas/shared/bounded-id';
import type { IdentityKind } from '#lambdas/contacts/contact-model';

/**
 * Contact items in the single table (see conversation/table-keys.ts for the rest):
 *
 *   pk                                         sk                    entity             holds
 *   PERSON#<business>#<contact id>             PROFILE               Contact            contact-model.ts Contact
 *   PERSON#<business>#<contact id>             MERGE#<at>#<merge id> ContactMerge       a merge into this contact, with what it needs to be undone
 *   PERSON#<business>#<contact id>             CONSENT#<channel>#<at>#<digest>  ConsentDecision  every consent decision recorded, kept as proof (no TTL)
 *   IDENT#<business>#<kind>#<scope>#<value>    IDENT                 ContactIdentity    contactId: which contact owns the identity (unique)
 *   CONTACTS#<business>                        SCHEMA                ContactAttributeSchema   the admin's attribute definitions, versioned
 *   CONTACTS#<business>                        MERGE#<merge id>      ContactMergeRef    where a merge record is (unmerge is asked for by merge id)
 *   ACCT#<account id>                          CONSENT#<customer id> Consent            the sender's projection of consent (outbound/send-context.ts), written with the contact
 *
 * `scope` is the account id for Instagram and Messenger identities (their ids are per account) and
 * `-` for WhatsApp ids and phones (one person for every number of the business).
 *
 * GSI3 (sparse: `gsi3pk`/`gsi3sk`, projecting the keys and `contactId`) finds contacts of a business
 * by phone and name: `gsi3pk = CONTACTS#<business>`, `gsi3sk = <lower-case name or phone>#<contact id>`.
 * A live contact's PROFILE item carries its name's entry (contact-search.ts searchableName); each
 * `phone` IDENT item carries its number's (E.164). An absorbed contact carries none.
 *
 * The identity item is the uniqueness guard: creating a contact for a new identity is one
 * transaction (Put PROFILE + Put IDENT with attribute_not_exists), so two first messages racing
 * create one contact; the loser reads the winner's.
 */
export const contactPk = (businessId: string, contactId: string) => `PERSON#${boundedId(businessId)}#${boundedId(contactId)}`;
export const CONTACT_PROFILE_SK = 'PROFILE';
export const contactMergeSk = (at: string, mergeId: string) => `MERGE#${at.slice(0, 64)}#${boundedId(mergeId)}`;

export const identityScope = (kind: IdentityKind, accountId: string | undefined) =>
  kind === 'instagram' || kind === 'messenger' ? boundedId(accountId ?? '-') : '-';
export const identityPk = (businessId: string, kind: IdentityKind, value: string, accountId?: string) =>
  `IDENT#${boundedId(businessId)}#${kind}#${identityScope(kind, accountId)}#${boundedId(value)}`;
export const IDENTITY_SK = 'IDENT';

export const contactsPk = (businessId: string) => `CONTACTS#${boundedId(businessId)}`;
export const ATTRIBUTE_SCHEMA_SK = 'SCHEMA';

export const consentDecisionSk = (channel: string, at: string, digest: string) => `CONSENT#${channel}#${at.slice(0, 64)}#${digest}`;
export const mergeRefSk = (mergeId: string) => `MERGE#${boundedId(mergeId)}`;
