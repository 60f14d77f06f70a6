/**
 * Who a WhatsApp item is about and what its stable identity is. Shared by the splitter (thin
 * webhook Lambda, so plain structural checks and no zod) and the normalizer, so that both
 * derive the same conversation key from the same payload.
 */
import type { CustomerRef } from '#lambdas/conversation/model';
import { boundedId } from '#lambdas/shared/bounded-id';
import { idString } from '#lambdas/shared/ids';

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function objectsOf(value: unknown): JsonObject[] {
  if (!Array.isArray(value)) return [];
  return value.map(asObject).filter((o): o is JsonObject => o !== undefined);
}

/** One side of a conversation as Meta names it: phone-number id and/or business-scoped user id. */
export interface Party {
  waId?: string;
  userId?: string;
  parentUserId?: string;
}

/** The customer who wrote an inbound message (or history message). */
export function senderOf(message: JsonObject): Party {
  return party(message.from, message.from_user_id, message.from_parent_user_id);
}

/** The customer a business message (echo, status) was sent to. */
export function recipientOfEcho(echo: JsonObject): Party {
  return party(echo.to, echo.to_user_id, echo.to_parent_user_id);
}

/**
 * The customer a status is about. For a group status `recipient_id` is the group, and the
 * person who received or read the message is the `recipient_participant_*` fields.
 */
export function recipientOfStatus(status: JsonObject): Party {
  if (statusGroupId(status) !== undefined) {
    return party(status.recipient_participant_id, status.recipient_participant_user_id, status.recipient_participant_parent_user_id);
  }
  return party(status.recipient_id, status.recipient_user_id, status.parent_recipient_user_id);
}

export function statusGroupId(status: JsonObject): string | undefined {
  const explicit = idString(status.group_id);
  if (explicit !== undefined) return explicit;
  return status.recipient_type === 'group' ? idString(status.recipient_id) : undefined;
}

function party(waId: unknown, userId: unknown, parentUserId: unknown): Party {
  const p: Party = {};
  const w = idString(waId);
  const u = idString(userId);
  const pu = idString(parentUserId);
  if (w !== undefined) p.waId = w;
  if (u !== undefined) p.userId = u;
  if (pu !== undefined) p.parentUserId = pu;
  return p;
}

/**
 * The `contacts[]` item that describes `who`: same wa_id, else same user_id, else the only
 * contact when nothing in it contradicts `who` (BSUID-only contacts carry no wa_id). A single
 * contact whose wa_id names someone else is not attached: its profile name would be wrong.
 */
interface ContactIndex {
  all: JsonObject[];
  byWaId: Map<string, JsonObject>;
  byUserId: Map<string, JsonObject>;
}

// A batched body can carry hundreds of messages and contacts: index the contacts once per
// `value` instead of scanning them for every message.
const contactIndexes = new WeakMap<object, ContactIndex>();

function contactIndex(contacts: unknown): ContactIndex {
  const cached = Array.isArray(contacts) ? contactIndexes.get(contacts) : undefined;
  if (cached) return cached;
  const all = objectsOf(contacts);
  const byWaId = new Map<string, JsonObject>();
  const byUserId = new Map<string, JsonObject>();
  for (const c of all) {
    const waId = idString(c.wa_id);
    const userId = idString(c.user_id);
    // The first contact with an id wins, as a linear search would find it.
    if (waId !== undefined && !byWaId.has(waId)) byWaId.set(waId, c);
    if (userId !== undefined && !byUserId.has(userId)) byUserId.set(userId, c);
  }
  const index = { all, byWaId, byUserId };
  if (Array.isArray(contacts)) contactIndexes.set(contacts, index);
  return index;
}

export function matchingContact(contacts: unknown, who: Party): JsonObject | undefined {
  const { all, byWaId, byUserId } = contactIndex(contacts);
  if (who.waId !== undefined) {
    const byWa = byWaId.get(who.waId);
    if (byWa) return byWa;
  }
  if (who.userId !== undefined) {
    const byUser = byUserId.get(who.userId);
    if (byUser) return byUser;
  }
  const only = all.length === 1 ? all[0] : undefined;
  if (!only) return undefined;
  const contactWaId = idString(only.wa_id);
  const contactUserId = idString(only.user_id);
  const contradicts =
    (contactWaId !== undefined && who.waId !== undefined && contactWaId !== who.waId) ||
    (contactUserId !== undefined && who.userId !== undefined && contactUserId !== who.userId);
  return contradicts ? undefined : only;
}

/**
 * The customer id a conversation key uses: wa_id first (the id every older payload carries),
 * else the business-scoped user id. When the item itself names nobody (a `contacts` message
 * answering a contact request carries neither `from` nor `from_user_id`), the matched contact
 * describes the sender, as Meta documents `contacts[]` to do.
 */
export function customerIdOf(who: Party, contact: JsonObject | undefined): string | undefined {
  return who.waId ?? who.userId ?? idString(contact?.wa_id) ?? idString(contact?.user_id);
}

export function groupKeyPart(groupId: string): string {
  return `g.${groupId}`;
}

/** Customer part of the conversation key for an inbound message; undefined if nobody is named. */
export function messageCustomerPart(message: JsonObject, contacts: unknown): string | undefined {
  const group = idString(message.group_id);
  if (group !== undefined) return groupKeyPart(group);
  const who = senderOf(message);
  return customerIdOf(who, matchingContact(contacts, who));
}

export function echoCustomerPart(echo: JsonObject, contacts: unknown): string | undefined {
  const group = idString(echo.group_id);
  if (group !== undefined) return groupKeyPart(group);
  const who = recipientOfEcho(echo);
  return customerIdOf(who, matchingContact(contacts, who));
}

export function statusCustomerPart(status: JsonObject, contacts: unknown): string | undefined {
  const group = statusGroupId(status);
  if (group !== undefined) return groupKeyPart(group);
  const who = recipientOfStatus(status);
  return customerIdOf(who, matchingContact(contacts, who));
}

/** Non-message fields whose value holds an array of independent, per-item notifications. */
export const PER_ITEM_ARRAYS: Readonly<Record<string, string>> = {
  smb_app_state_sync: 'state_sync',
  user_preferences: 'user_preferences',
  user_id_update: 'user_id_update',
  calls: 'calls',
  automatic_events: 'automatic_events',
  group_participants_update: 'groups',
  group_lifecycle_update: 'groups',
  group_settings_update: 'groups',
  group_status_update: 'groups',
};

/**
 * Customer part of the conversation key of a non-message change sliced to one item, or
 * undefined when it belongs on the account key.
 */
export function otherFieldCustomerPart(field: string, value: JsonObject): string | undefined {
  const arrayKey = Object.hasOwn(PER_ITEM_ARRAYS, field) ? PER_ITEM_ARRAYS[field] : undefined;
  if (arrayKey === undefined) return undefined;
  const item = objectsOf(value[arrayKey])[0];
  return item ? itemCustomer(field, item, value.contacts).part : undefined;
}

/**
 * Per-customer items of non-message fields, so that e.g. a marketing opt-out is ordered with
 * that customer's messages. Items that name no customer fall back to the account key.
 */
export function itemCustomer(field: string, item: JsonObject, contacts: unknown): { part?: string; who: Party } {
  switch (field) {
    case 'user_preferences': {
      const who = party(item.wa_id, item.user_id, item.parent_user_id);
      return withPart(who, contacts);
    }
    case 'user_id_update': {
      // Key by the id the conversation had before the change, so the update is ordered
      // behind the messages that came under the old id.
      const userIds = asObject(item.user_id);
      const parents = asObject(item.parent_user_id);
      const who = party(item.wa_id, userIds?.previous ?? userIds?.current, parents?.previous ?? parents?.current);
      return withPart(who, contacts);
    }
    case 'calls': {
      const businessInitiated = typeof item.direction === 'string' && item.direction.toUpperCase() === 'BUSINESS_INITIATED';
      const who = businessInitiated ? party(item.to, item.to_user_id, item.to_parent_user_id) : party(item.from, item.from_user_id, item.from_parent_user_id);
      return withPart(who, contacts);
    }
    default: {
      const group = idString(item.group_id);
      return group !== undefined && field.startsWith('group_') ? { part: groupKeyPart(group), who: {} } : { who: {} };
    }
  }
}

function withPart(who: Party, contacts: unknown): { part?: string; who: Party } {
  const part = customerIdOf(who, matchingContact(contacts, who));
  return part === undefined ? { who } : { part, who };
}

/** Business phone-number id, else the WABA id (template and account changes carry no metadata). */
export function accountIdOf(value: JsonObject, entryId: string): string {
  return idString(asObject(value.metadata)?.phone_number_id) ?? entryId;
}

/** `wa:msg:<id>`, `wa:echo:<id>`, `wa:history:<id>`; edits and revokes `wa:edit:<id>` / `wa:revoke:<id>`. */
export function messageEventId(message: JsonObject, source: 'msg' | 'echo' | 'history'): string | undefined {
  const id = boundedIdString(message.id);
  if (id === undefined) return undefined;
  if (source !== 'history' && (message.type === 'edit' || message.type === 'revoke')) return `wa:${message.type}:${id}`;
  return `wa:${source}:${id}`;
}

/**
 * `wa:status:<id>:<status>`: the same status reported twice is one event. In a group every
 * participant reports its own delivered/read, so the participant is part of the identity.
 */
export function statusEventId(status: JsonObject): string | undefined {
  const id = boundedIdString(status.id);
  const state = typeof status.status === 'string' ? boundedId(status.status.trim().toLowerCase()) : undefined;
  if (id === undefined || !state) return undefined;
  const base = `wa:status:${id}:${state}`;
  if (statusGroupId(status) === undefined) return base;
  const who = recipientOfStatus(status);
  const participant = who.waId ?? who.userId;
  return participant === undefined ? base : `${base}:${boundedId(participant)}`;
}

/**
 * Canonical customer reference: `id` is the customer part of the conversation key; the other
 * ids and the profile come from the item and, where it is silent, from its matching contact.
 * In a group the conversation is the group, so `id` is `g.<group_id>` while waId, userId and
 * name describe the participant who wrote (or received) the message.
 */
export function customerRef(id: string, who: Party, contact: JsonObject | undefined): CustomerRef {
  const profile = asObject(contact?.profile);
  const ref: CustomerRef = { id };
  const waId = who.waId ?? idString(contact?.wa_id);
  const userId = who.userId ?? idString(contact?.user_id);
  const parentUserId = who.parentUserId ?? idString(contact?.parent_user_id);
  if (waId !== undefined) ref.waId = waId;
  if (userId !== undefined) ref.userId = userId;
  if (parentUserId !== undefined) ref.parentUserId = parentUserId;
  if (typeof profile?.username === 'string' && profile.username !== '') ref.username = profile.username;
  if (typeof profile?.name === 'string' && profile.name !== '') ref.name = profile.name;
  return ref;
}

/** An id used as part of an event id, bounded (shared/bounded-id.ts) so the event id stays short. */
function boundedIdString(value: unknown): string | undefined {
  const id = idString(value);
  return id === undefined ? undefined : boundedId(id);
}
