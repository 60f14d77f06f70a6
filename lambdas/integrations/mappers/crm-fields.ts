import { sha256Hex } from '#lambdas/shared/hash';
import type { ConversationSnapshot, IntegrationEvent, MapperInput } from '#lambdas/integrations/integration-model';
import type { Contact } from '#lambdas/contacts/contact-model';

/**
 * What the HubSpot, Salesforce and Zendesk mappings share: the ids our records are upserted by,
 * idempotency keys, and values cut to what a CRM field holds. Everything here is a pure function
 * of the mapper's input, so the same event maps to the same requests on every retry.
 *
 * Every value comes from a customer or an operator somewhere upstream: text is stripped of control
 * characters and cut to the field's length, ids that land in URL paths are reduced to a safe
 * alphabet, and nothing is trusted to be as short as the model says.
 */

/** Our contact ids (`c_` + 26 Crockford base-32 characters) pass as they are; anything else is hashed. */
const SAFE_CONTACT_ID = /^c_[0-9A-Za-z]{1,40}$/;

/**
 * The contact's id as the CRMs know it (HubSpot `omnichannel_contact_id`, Salesforce
 * `Omnichannel_Contact_Id__c`, Zendesk `external_id`). It appears in URL paths (Salesforce's
 * upsert by external id), so a value outside `[A-Za-z0-9_]` is replaced by a hash of it: the
 * mappers and the lookups use this same function, so both sides agree on it.
 */
export function crmContactId(contactId: string): string {
  return SAFE_CONTACT_ID.test(contactId) ? contactId : `ch_${sha256Hex(contactId).slice(0, 40)}`;
}

/**
 * One conversation record (HubSpot ticket, Salesforce Case, Zendesk ticket) per conversation
 * *session*: a conversation key lives as long as the customer writes to that account, and a
 * closed conversation reopens under the same key with a new `openedAt`. The id is a hash of both,
 * so it is short, URL-safe and carries no phone number (WhatsApp keys hold the wa_id).
 */
export function conversationRecordId(conversation: Pick<ConversationSnapshot, 'conversationKey' | 'openedAt'>): string {
  return `cv_${sha256Hex(`${conversation.conversationKey}\n${conversation.openedAt ?? ''}`).slice(0, 40)}`;
}

/** Same event + integration + step → same key; bounded (64 characters at most). */
export function deliveryKey(input: Pick<MapperInput, 'integration' | 'eventId'>, step: string): string {
  return `${input.integration.kind}:${step}:${sha256Hex(`${input.integration.integrationId}\n${input.eventId}\n${step}`).slice(0, 40)}`;
}

/** A key that names a record rather than an event: every event about it gets the same one. */
export function recordKey(input: Pick<MapperInput, 'integration'>, step: string, recordId: string): string {
  return `${input.integration.kind}:${step}:${sha256Hex(`${input.integration.integrationId}\n${recordId}`).slice(0, 40)}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const LINE_BREAKS = /[\r\n\t]+/g;

/** One line of text (no breaks, no control characters), trimmed and cut to `max` characters; undefined when empty. */
export function line(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = cut(
    value
      .slice(0, max * 4)
      .replace(LINE_BREAKS, ' ')
      .replace(CONTROL, '')
      .trim(),
    max,
  ).trim();
  return cleaned === '' ? undefined : cleaned;
}

/** Text that may hold line breaks (`\n` only), cut to `max` characters; undefined when empty. */
export function paragraph(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = cut(
    value
      .slice(0, max * 4)
      .replace(/\r\n?/g, '\n')
      .replace(CONTROL, '')
      .trim(),
    max,
  ).trim();
  return cleaned === '' ? undefined : cleaned;
}

/** Cut to `max` UTF-16 units without splitting a surrogate pair. */
function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return value.slice(0, end);
}

/** The contact's name split the way CRMs want it: the first word, and the rest (or the only word as the last name). */
export function splitName(name: string | undefined, maxFirst: number, maxLast: number): { first?: string; last?: string } {
  const full = line(name, maxFirst + maxLast + 1);
  if (full === undefined) return {};
  const space = full.indexOf(' ');
  if (space < 0) return { last: line(full, maxLast) };
  const first = line(full.slice(0, space), maxFirst);
  const last = line(full.slice(space + 1), maxLast);
  return { ...(first ? { first } : {}), ...(last ? { last } : {}) };
}

const E164 = /^\+[1-9]\d{7,14}$/;

/** The contact's number when it is E.164 (the contacts module stores nothing else; a stray value is dropped). */
export function e164(contact: Pick<Contact, 'phoneE164'> | undefined): string | undefined {
  const phone = contact?.phoneE164;
  return phone !== undefined && E164.test(phone) ? phone : undefined;
}

export const isE164 = (value: string): boolean => E164.test(value);

/**
 * Salesforce and Zendesk require a name when they create a record, so the mappings name a contact
 * without one by its number or our id; the lookups recognise that stand-in and do not read it back as a name.
 */
export const isStandInName = (name: string, contact: Pick<Contact, 'contactId' | 'phoneE164'>): boolean =>
  isE164(name.trim()) || name.trim() === contact.phoneE164 || name.trim() === crmContactId(contact.contactId);

/** Tags as the contacts module keeps them (lower case, short); at most `maxTags`, each cut, duplicates dropped. */
export function cleanTags(tags: readonly string[] | undefined, maxTags = 50): string[] {
  const out: string[] = [];
  for (const tag of (tags ?? []).slice(0, maxTags * 2)) {
    const cleaned = line(typeof tag === 'string' ? tag.toLowerCase() : undefined, 40);
    if (cleaned !== undefined && !out.includes(cleaned)) out.push(cleaned);
    if (out.length >= maxTags) break;
  }
  return out;
}

/** Tags joined for a single text field, cut at a tag boundary so no tag is half written. */
export function joinedTags(tags: readonly string[], separator: string, max: number): string | undefined {
  let joined = '';
  for (const tag of tags) {
    const next = joined === '' ? tag : `${joined}${separator}${tag}`;
    if (next.length > max) break;
    joined = next;
  }
  return joined === '' ? undefined : joined;
}

export const CHANNEL_LABELS: Record<ConversationSnapshot['channel'], string> = {
  whatsapp: 'WhatsApp',
  instagram: 'Instagram',
  messenger: 'Messenger',
};

export const channelLabel = (channel: string | undefined): string | undefined =>
  channel !== undefined && channel in CHANNEL_LABELS ? CHANNEL_LABELS[channel as ConversationSnapshot['channel']] : undefined;

/** Outcomes (contact-model.ts CONVERSATION_OUTCOMES) as people read them in a CRM; an unknown value passes as a bounded line. */
const OUTCOME_LABELS: Record<string, string> = {
  resolved: 'Resolved',
  resolved_by_bot: 'Resolved by bot',
  converted: 'Converted',
  unresolved: 'Unresolved',
  no_response: 'No response',
  duplicate: 'Duplicate',
  spam: 'Spam',
  opted_out: 'Opted out',
};

export const outcomeLabel = (outcome: string | undefined): string | undefined =>
  outcome === undefined ? undefined : (OUTCOME_LABELS[outcome] ?? line(outcome, 40));

/** An outcome or channel as a token (`resolved_by_bot`): lower-case letters, digits and `_`, at most `max`. */
export function token(value: string | undefined, max = 40): string | undefined {
  if (value === undefined) return undefined;
  const t = value
    .slice(0, max * 4)
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, max);
  return t === '' ? undefined : t;
}

/** The conversation events every CRM mapping writes its conversation record on. */
export const CONVERSATION_EVENTS: ReadonlySet<IntegrationEvent> = new Set(['conversation.opened', 'conversation.assigned', 'conversation.closed']);
export const CONTACT_EVENTS: ReadonlySet<IntegrationEvent> = new Set(['contact.updated', 'contact.merged']);

/**
 * Is the session over? The snapshot is read when the event is dispatched, so it is the truth at
 * that moment: an `opened` dispatched after the close maps as closed and does not reopen the record.
 */
export const isClosed = (input: Pick<MapperInput, 'eventType' | 'conversation'>): boolean =>
  input.conversation?.state === 'closed' || input.conversation?.closedAt !== undefined || input.eventType === 'conversation.closed';

/** Lines describing a conversation for a CRM's free-text field (description, ticket comment). */
export function conversationSummaryLines(
  conversation: ConversationSnapshot,
  contact: Contact | undefined,
  options: { includeCsat: boolean; includeCustomer: boolean },
): string[] {
  const lines: string[] = [];
  const summary = paragraph(conversation.summary, 4_000);
  if (summary !== undefined) lines.push(summary, '');
  const push = (label: string, value: string | undefined) => {
    if (value !== undefined) lines.push(`${label}: ${value}`);
  };
  if (options.includeCustomer) {
    push('Customer', line(contact?.name, 120));
    push('Phone', e164(contact));
  }
  push('Channel', channelLabel(conversation.channel));
  push('Opened', line(conversation.openedAt, 40));
  push('Closed', line(conversation.closedAt, 40));
  push('Agent', line(conversation.assignedAgentId, 128));
  push('Queue', line(conversation.queueId, 128));
  push('Reason', line(conversation.reason, 255));
  push('Outcome', outcomeLabel(conversation.outcome));
  const tags = joinedTags(cleanTags(conversation.tags), ', ', 1_000);
  push('Tags', tags);
  if (options.includeCsat && typeof conversation.csatScore === 'number' && Number.isFinite(conversation.csatScore)) {
    push('CSAT', String(conversation.csatScore));
  }
  return lines;
}

/** A CSAT score as a CRM number field takes it: finite, between 0 and 10, else nothing. */
export const csat = (score: number | undefined): number | undefined =>
  typeof score === 'number' && Number.isFinite(score) && score >= 0 && score <= 10 ? score : undefined;

/** Drops undefined values so an upsert never clears a CRM field we know nothing about. */
export function defined<T extends Record<string, unknown>>(record: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
