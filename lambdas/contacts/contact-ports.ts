import type {
  Attribution,
  AttributeSchema,
  AttributeValue,
  ChannelIdentity,
  ConsentRecord,
  Contact,
  ContactChannel,
  ContactMerge,
  CrmIds,
  IdentityKind,
} from '#lambdas/contacts/contact-model';

/**
 * The seams of the contacts module. `contact-store.ts` implements ContactStore against DynamoDB
 * (tested once against DynamoDB Local); use cases are tested against `test/helpers/in-memory-contact-store.ts`.
 * Every method is scoped to one business: a contact id of another business is not found.
 */

/** A channel identity as seen on a message: what the contacts consumer resolves to a contact. */
export interface SeenIdentity {
  kind: IdentityKind;
  value: string;
  accountId: string;
}

export type StoreResult<T> = { ok: true; value: T } | { ok: false; refusal: ContactRefusal; message: string };
export type ContactRefusal = 'not_found' | 'changed_meanwhile' | 'identity_taken' | 'same_contact' | 'already_undone' | 'invalid';

export interface ContactStore {
  /**
   * The contact owning any of these identities (following `mergedInto`), else a new contact owning
   * all of them; identities found on another contact are left where they are (a person merges).
   * Idempotent and race-safe (one contact per identity).
   */
  resolve(
    businessId: string,
    identities: SeenIdentity[],
    seed: { name?: string; nameSource?: Contact['nameSource']; language?: Contact['language']; at: string },
  ): Promise<{ contact: Contact; created: boolean }>;
  get(businessId: string, contactId: string): Promise<Contact | undefined>;
  /** The contact owning one identity (following `mergedInto`). */
  findByIdentity(businessId: string, kind: IdentityKind, value: string, accountId?: string): Promise<Contact | undefined>;
  /** Contacts whose name or phone starts with the text (case-insensitive), at most `limit`. */
  search(businessId: string, text: string, limit: number): Promise<Contact[]>;
  /**
   * One page of the business's live contacts in search-index order (every contact with a name or a
   * phone; at most `limit` index entries read, 1–100). A contact is once on a page but may be on two
   * pages (by its name and by its phone): a caller walking them all keeps the ids it has seen.
   * `cursor` is opaque; a cursor this store did not hand out for this business is an InvalidCursorError.
   */
  listPage(businessId: string, page: { limit: number; cursor?: string }): Promise<{ items: Contact[]; cursor?: string }>;
  /** The live contacts owning these identities of one kind (WhatsApp ids or E.164 phones; at most 100), by the value asked for. */
  findManyByIdentity(businessId: string, kind: 'whatsapp' | 'phone', values: readonly string[]): Promise<Map<string, Contact>>;

  /** Field updates at the contact's version (stale → `changed_meanwhile`). */
  update(
    businessId: string,
    contactId: string,
    expectedVersion: number | undefined,
    change: {
      name?: { value: string; source: NonNullable<Contact['nameSource']> };
      language?: Contact['language'];
      tags?: { add?: string[]; remove?: string[]; set?: string[] };
      attributes?: { set?: Record<string, AttributeValue>; remove?: string[] };
      crmIds?: Partial<CrmIds>;
      /** Written only when the contact has none (first touch). */
      firstTouch?: Attribution;
    },
    at: string,
  ): Promise<StoreResult<Contact>>;

  /**
   * A consent decision on one channel, with its evidence, in one transaction with the sender's
   * `ACCT#<account>/CONSENT#<customer>` projection (outbound/send-context.ts). A decision older than
   * the one stored is kept in the history but does not replace it.
   */
  recordConsent(businessId: string, contactId: string, channel: ContactChannel, customerId: string, record: ConsentRecord): Promise<StoreResult<Contact>>;

  /** Link an identity by hand (an agent) or from a CRM; `identity_taken` when another contact owns it (merge instead). */
  linkIdentity(businessId: string, contactId: string, identity: Omit<ChannelIdentity, 'linkedAt'>, at: string): Promise<StoreResult<Contact>>;

  /** Absorb `absorbedId` into `survivorId`: identities move, tags/attributes/consent/CRM ids/first touch combine; recorded for unmerge. */
  merge(
    businessId: string,
    survivorId: string,
    absorbedId: string,
    by: string,
    at: string,
    reason?: string,
  ): Promise<StoreResult<{ survivor: Contact; merge: ContactMerge }>>;
  /** Undo a merge: the absorbed contact and its identities come back; the survivor returns to what it held before (keeping later changes of its own where they do not conflict). */
  unmerge(businessId: string, mergeId: string, by: string, at: string): Promise<StoreResult<{ survivor: Contact; restored: Contact }>>;
  listMerges(businessId: string, contactId: string): Promise<ContactMerge[]>;

  getAttributeSchema(businessId: string): Promise<AttributeSchema>;
  putAttributeSchema(
    businessId: string,
    schema: Omit<AttributeSchema, 'version' | 'updatedAt'>,
    expectedVersion: number | undefined,
    at: string,
  ): Promise<StoreResult<AttributeSchema>>;
}

/**
 * What a CRM (or the business's own endpoint) knows of a customer, looked up on a new
 * conversation before routing. Implemented in lambdas/integrations/lookup/.
 */
export interface CrmLookupResult {
  crmIds?: Partial<CrmIds>;
  name?: string;
  tags?: string[];
  vip?: boolean;
  attributes?: Record<string, AttributeValue>;
}

export interface CrmLookup {
  /** At most `timeoutMs` (default 1,000); undefined when nothing is configured, nothing is found, or it timed out. Cached per business and identity. */
  lookup(businessId: string, contact: Contact, timeoutMs?: number): Promise<CrmLookupResult | undefined>;
}
