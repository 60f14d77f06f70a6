import * as z from 'zod';

/**
 * One customer of one business, across channels. A Contact links the customer's channel
 * identities (a WhatsApp number, Instagram and Messenger ids), keeps what the business knows of
 * them (name, language, consent per channel with its evidence, tags, custom attributes typed by an
 * admin-defined schema, the CRMs' ids) and how they first came (first-touch attribution).
 *
 * Contacts hold personal data: kept in the table and shown to the business's own operators, never
 * logged and never put on the bus (events carry ids only).
 */

export const CHANNELS = ['whatsapp', 'instagram', 'messenger'] as const;
export type ContactChannel = (typeof CHANNELS)[number];

/**
 * How a channel knows the customer:
 * - `whatsapp`: the wa_id (digits of the number as WhatsApp reports it);
 * - `whatsapp_bsuid`: WhatsApp's business-scoped user id, where Meta sends one (`user_id`);
 * - `instagram`: the Instagram-scoped id (IGSID) for one Instagram account;
 * - `messenger`: the page-scoped id (PSID) for one Page;
 * - `phone`: a number in E.164 (`+5511987654321`), from the wa_id or given by an operator or CRM.
 * Instagram and Messenger ids are scoped to the account that saw them, so their identity names
 * the account; WhatsApp ids and phones are the same person for every number of the business.
 */
export const IDENTITY_KINDS = ['whatsapp', 'whatsapp_bsuid', 'instagram', 'messenger', 'phone'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export interface ChannelIdentity {
  kind: IdentityKind;
  /** The id as the channel gives it (bounded); a phone in E.164. */
  value: string;
  /** The channel account that saw it (Instagram/Messenger: required; WhatsApp: the number first seen). */
  accountId?: string;
  /** When it was linked to this contact, and how. */
  linkedAt: string;
  linkedBy: 'channel' | 'operator' | 'merge' | 'crm' | 'import';
}

export const CONSENT_STATES = ['opted_in', 'opted_out'] as const;
export type ConsentState = (typeof CONSENT_STATES)[number];

/** A consent decision and its proof. `evidenceText` is what the customer wrote or tapped. */
export interface ConsentRecord {
  status: ConsentState;
  /** `marketing` (promotional templates and campaigns). */
  scope: 'marketing';
  at: string;
  source: 'customer_message' | 'operator' | 'import' | 'crm' | 'form';
  evidenceMessageId?: string;
  evidenceText?: string;
  /** The channel account the decision was given on. */
  accountId?: string;
  /** Who recorded it when an operator did (their actor id). */
  recordedBy?: string;
}

/** UTM parameters found in a first message's link (or a referral's source URL). */
export interface UtmParameters {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
}

/**
 * How the customer first came: a click-to-WhatsApp / Instagram / Messenger ad or post referral, or
 * a link with UTM parameters in their first message. Written once (first touch), never overwritten;
 * a merge keeps the earliest.
 */
export interface Attribution {
  channel: ContactChannel;
  accountId: string;
  conversationKey: string;
  /** The first message that carried it. */
  messageId?: string;
  at: string;
  /** `ad`, `post`, `link` (a URL with UTMs), or Meta's own source type as sent. */
  source: string;
  adId?: string;
  headline?: string;
  /** Click-to-WhatsApp click id (`ctwa_clid`). */
  ctwaClid?: string;
  sourceUrl?: string;
  /** Meta's `ref` parameter (m.me / ig.me links). */
  ref?: string;
  utm?: UtmParameters;
}

/** The CRMs' own ids for this contact (HubSpot contact id, Salesforce Contact/Lead id, Zendesk user id). */
export interface CrmIds {
  hubspot?: string;
  salesforce?: string;
  salesforceObject?: 'Contact' | 'Lead';
  zendesk?: string;
  /** The business's own system (inbound lookup through its HTTPS endpoint). */
  external?: string;
}

export type AttributeValue = string | number | boolean;

export interface Contact {
  businessId: string;
  /** `c_<26-character ULID-like id>`, generated on first sight. */
  contactId: string;
  name?: string;
  /** Where the name came from; a better source replaces a worse one (operator > crm > address_book > profile). */
  nameSource?: 'profile' | 'address_book' | 'crm' | 'operator';
  /** The primary number in E.164, when the contact has one. */
  phoneE164?: string;
  language?: 'es' | 'pt' | 'en';
  identities: ChannelIdentity[];
  /** Consent per channel (`whatsapp`, `instagram`, `messenger`): the latest decision on each. */
  consent: Partial<Record<ContactChannel, ConsentRecord>>;
  /** Lower-case tags (`vip`, …), at most 50. */
  tags: string[];
  /** Values typed by the business's attribute schema. */
  attributes: Record<string, AttributeValue>;
  crmIds: CrmIds;
  firstTouch?: Attribution;
  /** Set on a contact merged into another: reads follow it to the survivor. */
  mergedInto?: string;
  createdAt: string;
  updatedAt: string;
  /** Optimistic lock: every write checks and increments it. */
  version: number;
}

/** A merge, kept so it can be undone: which contact was absorbed, and what it held before. */
export interface ContactMerge {
  businessId: string;
  mergeId: string;
  survivorId: string;
  absorbedId: string;
  at: string;
  by: string;
  reason?: string;
  /** The absorbed contact as it was, and the survivor's fields it changed, for unmerge. */
  absorbedBefore: Contact;
  survivorBefore: Contact;
  undoneAt?: string;
  undoneBy?: string;
}

/** An admin-defined custom attribute. */
export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date', 'enum'] as const;
export const attributeDefinitionSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _, starting with a letter, at most 40'),
  label: z.string().trim().min(1).max(80),
  type: z.enum(ATTRIBUTE_TYPES),
  /** For `enum`: the allowed values. */
  options: z.array(z.string().trim().min(1).max(80)).min(1).max(50).optional(),
  /** Shown to agents in the contact panel. */
  visibleToAgents: z.boolean().default(true),
  /** Agents may edit it (else admins only, or the CRM). */
  editableByAgents: z.boolean().default(false),
});
export type AttributeDefinition = z.infer<typeof attributeDefinitionSchema>;

export const attributeSchemaSchema = z.strictObject({
  attributes: z.array(attributeDefinitionSchema).max(100),
});
export type AttributeSchema = z.infer<typeof attributeSchemaSchema> & { version: number; updatedAt?: string };

export const MAX_CONTACT_TAGS = 50;
export const contactTagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}_\-:.]{0,39}$/u, 'a tag is 1–40 letters, digits, _ - : .');

/**
 * How every closed conversation ended, by a person or the bot. Agents pick among
 * `CLOSE_OUTCOMES` (routing-model.ts); the bot's conversations close with `resolved_by_bot`,
 * `handed_off` never (a person closes those) or `no_response` when the customer went quiet, and
 * an operator or the CRM may mark `converted` (a sale).
 */
export const CONVERSATION_OUTCOMES = ['resolved', 'resolved_by_bot', 'converted', 'unresolved', 'no_response', 'duplicate', 'spam', 'opted_out'] as const;
export type ConversationOutcome = (typeof CONVERSATION_OUTCOMES)[number];
