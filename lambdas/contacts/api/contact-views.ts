import {
  CHANNELS,
  type Attribution,
  type AttributeDefinition,
  type AttributeSchema,
  type AttributeValue,
  type ConsentRecord,
  type Contact,
  type ContactChannel,
  type ContactMerge,
  type CrmIds,
  type IdentityKind,
} from '#lambdas/contacts/contact-model';

/**
 * What the operator API answers about contacts (the console imports these types). A contact is
 * shown to its own business's operators whole, except attributes the admin hid from agents; the
 * merges' snapshots (kept for unmerge) are summarised, never sent.
 */

export interface ContactSummary {
  contactId: string;
  name?: string;
  phoneE164?: string;
  /** The channels the contact has identities on. */
  channels: ContactChannel[];
  tags: string[];
}

export interface IdentityView {
  kind: IdentityKind;
  /** `phone` for a phone number, else the channel the identity belongs to. */
  channel: ContactChannel | 'phone';
  value: string;
  accountId?: string;
  linkedAt: string;
  linkedBy: string;
}

export interface AttributeView {
  key: string;
  /** The schema's label; the key itself for a value no definition describes any more. */
  label: string;
  type: AttributeDefinition['type'] | 'unknown';
  value?: AttributeValue;
  options?: string[];
  /** Whether the caller may change it. */
  editable: boolean;
  /** False for a value left from a definition since removed (shown to admins only). */
  defined: boolean;
}

export interface MergeView {
  mergeId: string;
  survivorId: string;
  absorbedId: string;
  absorbedName?: string;
  /** The absorbed contact's identities as they were, by channel. */
  absorbedIdentities: Array<Pick<IdentityView, 'kind' | 'channel' | 'value'>>;
  at: string;
  by: string;
  reason?: string;
  undoneAt?: string;
  undoneBy?: string;
}

export interface ContactView {
  businessId: string;
  contactId: string;
  name?: string;
  nameSource?: Contact['nameSource'];
  phoneE164?: string;
  language?: Contact['language'];
  identities: IdentityView[];
  /** Every channel, with its latest decision or null. */
  consent: Record<ContactChannel, ConsentRecord | null>;
  tags: string[];
  attributes: AttributeView[];
  crmIds: CrmIds;
  firstTouch?: Attribution;
  merges: MergeView[];
  /** Set on a contact merged into another (reads follow it; writes are refused). */
  mergedInto?: string;
  /** The contact asked for, when it was merged into this one. */
  redirectedFrom?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export const channelOfIdentity = (kind: IdentityKind): ContactChannel | 'phone' =>
  kind === 'whatsapp' || kind === 'whatsapp_bsuid' ? 'whatsapp' : kind === 'phone' ? 'phone' : kind;

const channelsOf = (contact: Pick<Contact, 'identities'>): ContactChannel[] => {
  const seen = new Set(contact.identities.map((i) => channelOfIdentity(i.kind)));
  return CHANNELS.filter((c) => seen.has(c));
};

export function contactSummary(contact: Contact): ContactSummary {
  return {
    contactId: contact.contactId,
    ...(contact.name ? { name: contact.name } : {}),
    ...(contact.phoneE164 ? { phoneE164: contact.phoneE164 } : {}),
    channels: channelsOf(contact),
    tags: [...contact.tags],
  };
}

/**
 * The contact for one caller: `admin` (contacts.admin) sees and may edit every attribute, values
 * no definition describes any more included; agents see the attributes marked visibleToAgents and
 * may edit those marked editableByAgents.
 */
export function contactView(
  contact: Contact,
  input: { schema: Pick<AttributeSchema, 'attributes'>; merges: readonly ContactMerge[]; admin: boolean; redirectedFrom?: string },
): ContactView {
  return {
    businessId: contact.businessId,
    contactId: contact.contactId,
    ...(contact.name ? { name: contact.name } : {}),
    ...(contact.nameSource ? { nameSource: contact.nameSource } : {}),
    ...(contact.phoneE164 ? { phoneE164: contact.phoneE164 } : {}),
    ...(contact.language ? { language: contact.language } : {}),
    identities: contact.identities.map((i) => ({
      kind: i.kind,
      channel: channelOfIdentity(i.kind),
      value: i.value,
      ...(i.accountId ? { accountId: i.accountId } : {}),
      linkedAt: i.linkedAt,
      linkedBy: i.linkedBy,
    })),
    consent: Object.fromEntries(CHANNELS.map((c) => [c, contact.consent[c] ?? null])) as Record<ContactChannel, ConsentRecord | null>,
    tags: [...contact.tags],
    attributes: attributeViews(contact.attributes, input.schema, input.admin),
    crmIds: { ...contact.crmIds },
    ...(contact.firstTouch ? { firstTouch: contact.firstTouch } : {}),
    merges: [...input.merges].sort((a, b) => b.at.localeCompare(a.at)).map(mergeView),
    ...(contact.mergedInto ? { mergedInto: contact.mergedInto } : {}),
    ...(input.redirectedFrom ? { redirectedFrom: input.redirectedFrom } : {}),
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
    version: contact.version,
  };
}

/** In the schema's order, then (admins only) values without a definition. */
export function attributeViews(values: Record<string, AttributeValue>, schema: Pick<AttributeSchema, 'attributes'>, admin: boolean): AttributeView[] {
  const defined = schema.attributes
    .filter((d) => admin || d.visibleToAgents)
    .map((d) => ({
      key: d.key,
      label: d.label,
      type: d.type,
      ...(values[d.key] !== undefined ? { value: values[d.key] } : {}),
      ...(d.options ? { options: [...d.options] } : {}),
      editable: admin || d.editableByAgents,
      defined: true,
    }));
  if (!admin) return defined;
  const known = new Set(schema.attributes.map((d) => d.key));
  const leftOver = Object.entries(values)
    .filter(([key]) => !known.has(key))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, label: key, type: 'unknown' as const, value, editable: false, defined: false }));
  return [...defined, ...leftOver];
}

export function mergeView(merge: ContactMerge): MergeView {
  return {
    mergeId: merge.mergeId,
    survivorId: merge.survivorId,
    absorbedId: merge.absorbedId,
    ...(merge.absorbedBefore?.name ? { absorbedName: merge.absorbedBefore.name } : {}),
    absorbedIdentities: (merge.absorbedBefore?.identities ?? []).map((i) => ({ kind: i.kind, channel: channelOfIdentity(i.kind), value: i.value })),
    at: merge.at,
    by: merge.by,
    ...(merge.reason ? { reason: merge.reason } : {}),
    ...(merge.undoneAt ? { undoneAt: merge.undoneAt } : {}),
    ...(merge.undoneBy ? { undoneBy: merge.undoneBy } : {}),
  };
}
