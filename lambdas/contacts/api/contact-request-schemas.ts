import * as z from 'zod';
import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import { MAX_ATTRIBUTE_STRING_CHARS, MAX_ATTRIBUTES_PER_CHANGE } from '#lambdas/contacts/contact-attributes';
import { CONTACT_ID_PATTERN, MERGE_ID_PATTERN } from '#lambdas/contacts/contact-id';
import { checkIdentity } from '#lambdas/contacts/contact-identities';
import { CHANNELS, CONSENT_STATES, IDENTITY_KINDS, MAX_CONTACT_TAGS, contactTagSchema } from '#lambdas/contacts/contact-model';
import { MAX_SEARCH_RESULTS, MAX_SEARCH_TEXT_CHARS } from '#lambdas/contacts/contact-search';

/**
 * What the contacts routes accept. Every id, text and list is bounded before anything is read, and
 * identity values are brought to the form the channels use (a phone to E.164, a wa_id to digits:
 * contact-identities.ts), so that an operator's "+55 (11) 98765-4321" finds the contact a message
 * created.
 */

/** `c_` and a generated id; anything else is not one of ours. */
export const contactIdSchema = z.string().regex(CONTACT_ID_PATTERN, 'a contact id (c_ and 26 letters or digits)');
const businessIdSchema = z.string().refine(isBusinessId, 'a business id (letters, digits, . _ -; at most 100)');
const versionSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Channel account ids: phone number ids, Instagram account ids, Page ids. */
const accountIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'a channel account id');
const tagListSchema = z.array(contactTagSchema).max(MAX_CONTACT_TAGS);
export const attributeKeySchema = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'an attribute key (lower-case letters, digits and _)');

const named = { businessId: businessIdSchema.optional() };

export const searchQuerySchema = z.object({
  ...named,
  q: z.string().trim().min(1, 'a name or a phone to search for').max(MAX_SEARCH_TEXT_CHARS),
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_RESULTS).default(20),
});

/** The query of a route that names its contact in the path. */
export const contactQuerySchema = z.object({ ...named });

/** A conversation key from the path (`/agent/conversations/{key}/contact`). */
export const conversationKeySchema = z.string().min(1).max(1000);

export const renameBodySchema = z.strictObject({
  ...named,
  name: z.string().trim().min(1).max(120),
  expectedVersion: versionSchema.optional(),
});

export const tagsBodySchema = z
  .strictObject({ ...named, add: tagListSchema.default([]), remove: tagListSchema.default([]) })
  .refine((b) => b.add.length + b.remove.length > 0, 'name tags to add or remove');

/** `null` removes an attribute; the values' types are checked against the business's schema (attribute-values.ts). */
export const attributesBodySchema = z.strictObject({
  ...named,
  attributes: z
    .record(attributeKeySchema, z.union([z.string().max(MAX_ATTRIBUTE_STRING_CHARS), z.number(), z.boolean(), z.null()]))
    .refine((a) => Object.keys(a).length >= 1 && Object.keys(a).length <= MAX_ATTRIBUTES_PER_CHANGE, `from 1 to ${MAX_ATTRIBUTES_PER_CHANGE} attributes`),
  expectedVersion: versionSchema.optional(),
});

export const mergeBodySchema = z.strictObject({
  ...named,
  otherContactId: contactIdSchema,
  /** The version of the surviving contact (the one in the path) the person saw when they confirmed. */
  expectedVersion: versionSchema.optional(),
  reason: z.string().trim().min(1).max(500).optional(),
});

export const unmergeBodySchema = z.strictObject({ ...named, mergeId: z.string().regex(MERGE_ID_PATTERN, "a merge id from the contact's merges (m_…)") });

export const consentBodySchema = z.strictObject({
  ...named,
  channel: z.enum(CHANNELS),
  status: z.enum(CONSENT_STATES),
  /** What the customer said or did, in the operator's words ("said yes on the phone on 2 March"). */
  evidenceText: z.string().trim().min(1).max(1000),
});

export const linkIdentityBodySchema = z
  .strictObject({ ...named, kind: z.enum(IDENTITY_KINDS), value: z.string().trim().min(1).max(200), accountId: accountIdSchema.optional() })
  .transform((b, ctx) => {
    if (b.kind === 'phone' && b.accountId) {
      ctx.addIssue({ code: 'custom', message: 'a phone is the same person on every number: leave accountId out', path: ['accountId'] });
      return z.NEVER;
    }
    // A WhatsApp id is the number's digits: "+55 (11) 98765-4321" as people write it is accepted.
    const value = b.kind === 'whatsapp' ? b.value.replace(/[\s().+-]/g, '') : b.value;
    const checked = checkIdentity({ kind: b.kind, value, ...(b.accountId ? { accountId: b.accountId } : {}) });
    if (!checked.ok) {
      const [field, ...rest] = checked.message.split(': ');
      ctx.addIssue({ code: 'custom', message: rest.join(': ') || checked.message, path: [field === 'accountId' ? 'accountId' : 'value'] });
      return z.NEVER;
    }
    return { ...b, value: checked.value.value };
  });

export const schemaQuerySchema = z.object({ ...named });

/** The definitions themselves are checked with the model's `attributeSchemaSchema` (route-contacts-admin-request.ts). */
export const schemaBodySchema = z.strictObject({
  ...named,
  attributes: z.array(z.unknown()).max(100),
  /** The version the admin edited (0: the business has none yet); a stale one is refused. */
  expectedVersion: versionSchema,
});
