/**
 * Cuts one WhatsApp webhook entry into ingress events: one per message, status, echo, history
 * message or per-customer item, one per other change. Runs in the webhook Lambda, so it only
 * checks structure (no zod) and throws on an entry it cannot read at all; the caller then
 * quarantines that entry. Anything finer (a bad message inside a good entry) is passed on and
 * quarantined by the normalizer with a precise reason.
 */
import { accountKey, conversationKey } from '#lambdas/conversation/conversation-key';
import type { IngressEvent, SplitContext } from '#lambdas/ingress/ingress-event';
import { contentId } from '#lambdas/shared/hash';
import { idString } from '#lambdas/shared/ids';
import {
  accountIdOf,
  asObject,
  echoCustomerPart,
  itemCustomer,
  PER_ITEM_ARRAYS,
  matchingContact,
  messageCustomerPart,
  messageEventId,
  recipientOfEcho,
  recipientOfStatus,
  senderOf,
  statusCustomerPart,
  statusEventId,
  type JsonObject,
} from '#lambdas/channels/whatsapp/whatsapp-identities';

interface EntryScope {
  entryId: string;
  entryTime?: number | string;
  ctx: SplitContext;
}

export function splitWhatsAppEntry(entry: unknown, ctx: SplitContext): IngressEvent[] {
  const e = asObject(entry);
  if (!e) throw new TypeError('WhatsApp entry is not an object');
  const entryId = idString(e.id);
  if (entryId === undefined) throw new TypeError('WhatsApp entry has no id');
  if (!Array.isArray(e.changes)) throw new TypeError('WhatsApp entry has no changes array');
  const scope: EntryScope = { entryId, ctx };
  if (typeof e.time === 'number' || typeof e.time === 'string') scope.entryTime = e.time;
  return e.changes.flatMap((change) => splitChange(change, scope));
}

function splitChange(change: unknown, scope: EntryScope): IngressEvent[] {
  const c = asObject(change);
  const field = typeof c?.field === 'string' && c.field !== '' ? c.field : undefined;
  const value = asObject(c?.value);
  if (!field || !value) {
    // Kept as one event so the rest of the entry still flows; the normalizer quarantines it.
    const id = contentId('wa:change', timed(scope, change ?? null));
    return [ingress(scope, accountKey('whatsapp', scope.entryId), id, { field: field ?? null, value: c?.value ?? null })];
  }
  switch (field) {
    case 'messages':
      return splitMessagesValue(value, scope);
    case 'smb_message_echoes':
      return splitEchoes(value, scope);
    case 'history':
      return splitHistory(value, scope);
    default:
      return splitOtherField(field, value, scope);
  }
}

function splitMessagesValue(value: JsonObject, scope: EntryScope): IngressEvent[] {
  const accountId = accountIdOf(value, scope.entryId);
  const envelope = without(value, ['messages', 'statuses', 'contacts', 'errors']);
  const messages = Array.isArray(value.messages) ? value.messages : [];
  const statuses = Array.isArray(value.statuses) ? value.statuses : [];
  const events: IngressEvent[] = [];

  for (const raw of messages) {
    const message = asObject(raw);
    const contact = message ? matchingContact(value.contacts, senderOf(message)) : undefined;
    const slice: JsonObject = { ...envelope, ...contactsOf(contact), messages: [raw] };
    // Value-level errors next to messages describe those messages (e.g. an interactive
    // message Meta could not render), so each message carries them.
    if (value.errors !== undefined) slice.errors = value.errors;
    const part = message ? messageCustomerPart(message, value.contacts) : undefined;
    const id = (message && messageEventId(message, 'msg')) ?? contentId('wa:msg', raw ?? null);
    events.push(ingress(scope, keyFor(accountId, part), id, { field: 'messages', value: slice }));
  }

  for (const raw of statuses) {
    const status = asObject(raw);
    const contact = status ? matchingContact(value.contacts, recipientOfStatus(status)) : undefined;
    const slice: JsonObject = { ...envelope, ...contactsOf(contact), statuses: [raw] };
    const part = status ? statusCustomerPart(status, value.contacts) : undefined;
    const id = (status && statusEventId(status)) ?? contentId('wa:status', raw ?? null);
    events.push(ingress(scope, keyFor(accountId, part), id, { field: 'messages', value: slice }));
  }

  if (messages.length === 0 && (statuses.length === 0 || value.errors !== undefined)) {
    // Value-level errors on their own, or a value with nothing in it: one event, which the
    // normalizer turns into a notification or a quarantine.
    const slice = without(value, ['messages', 'statuses']);
    const prefix = value.errors !== undefined ? 'wa:errors' : 'wa:messages';
    events.push(
      ingress(scope, accountKey('whatsapp', accountId), contentId(prefix, timed(scope, slice)), {
        field: 'messages',
        value: slice,
      }),
    );
  }
  return events;
}

function splitEchoes(value: JsonObject, scope: EntryScope): IngressEvent[] {
  const accountId = accountIdOf(value, scope.entryId);
  const echoes = Array.isArray(value.message_echoes) ? value.message_echoes : [];
  if (echoes.length === 0) return splitOtherField('smb_message_echoes', value, scope);
  const envelope = without(value, ['message_echoes', 'contacts']);
  return echoes.map((raw) => {
    const echo = asObject(raw);
    const contact = echo ? matchingContact(value.contacts, recipientOfEcho(echo)) : undefined;
    const slice: JsonObject = { ...envelope, ...contactsOf(contact), message_echoes: [raw] };
    const part = echo ? echoCustomerPart(echo, value.contacts) : undefined;
    const id = (echo && messageEventId(echo, 'echo')) ?? contentId('wa:echo', raw ?? null);
    return ingress(scope, keyFor(accountId, part), id, { field: 'smb_message_echoes', value: slice });
  });
}

function splitHistory(value: JsonObject, scope: EntryScope): IngressEvent[] {
  const accountId = accountIdOf(value, scope.entryId);
  const envelope = without(value, ['history']);
  const chunks = Array.isArray(value.history) ? value.history : [];
  if (chunks.length === 0) return splitOtherField('history', value, scope);
  const events: IngressEvent[] = [];
  for (const rawChunk of chunks) {
    const chunk = asObject(rawChunk);
    const threads = Array.isArray(chunk?.threads) ? chunk.threads : [];
    if (!chunk || threads.length === 0) {
      // A declined or failed sync: `errors` and no threads.
      const slice = { ...envelope, history: [rawChunk] };
      events.push(
        ingress(scope, accountKey('whatsapp', accountId), contentId('wa:history', timed(scope, slice)), {
          field: 'history',
          value: slice,
        }),
      );
      continue;
    }
    for (const rawThread of threads) {
      const thread = asObject(rawThread);
      const threadId = idString(thread?.id);
      const messages = Array.isArray(thread?.messages) ? thread.messages : [];
      for (const raw of messages) {
        const message = asObject(raw);
        const slice = {
          ...envelope,
          history: [{ metadata: chunk.metadata, threads: [{ id: thread?.id, messages: [raw] }] }],
        };
        const id = (message && messageEventId(message, 'history')) ?? contentId('wa:history', raw ?? null);
        events.push(ingress(scope, keyFor(accountId, threadId), id, { field: 'history', value: slice }));
      }
    }
  }
  return events;
}

function splitOtherField(field: string, value: JsonObject, scope: EntryScope): IngressEvent[] {
  const accountId = accountIdOf(value, scope.entryId);
  const arrayKey = Object.hasOwn(PER_ITEM_ARRAYS, field) ? PER_ITEM_ARRAYS[field] : undefined;
  const items = arrayKey !== undefined && Array.isArray(value[arrayKey]) ? (value[arrayKey] as unknown[]) : [];
  if (arrayKey === undefined || items.length === 0) {
    return [ingress(scope, accountKey('whatsapp', accountId), contentId(`wa:${field}`, timed(scope, value)), { field, value })];
  }
  const envelope = without(value, [arrayKey, 'contacts']);
  return items.map((raw) => {
    const item = asObject(raw);
    const customer = item ? itemCustomer(field, item, value.contacts) : { who: {} };
    const contact = item && customer.part !== undefined && !customer.part.startsWith('g.') ? matchingContact(value.contacts, customer.who) : undefined;
    const slice: JsonObject = { ...envelope, ...contactsOf(contact), [arrayKey]: [raw] };
    const key = customer.part !== undefined ? conversationKey('whatsapp', accountId, customer.part) : accountKey('whatsapp', accountId);
    return ingress(scope, key, contentId(`wa:${field}`, timed(scope, slice)), { field, value: slice });
  });
}

/**
 * Content ids of changes without a provider id include the entry time when Meta sent one:
 * a template that goes APPROVED → PAUSED → APPROVED sends the same value twice, and without
 * the time the second APPROVED would be dropped as a duplicate. A redelivery repeats the time.
 */
function timed(scope: EntryScope, value: unknown): unknown {
  return scope.entryTime === undefined ? value : { time: scope.entryTime, value };
}

function keyFor(accountId: string, customerPart: string | undefined): string {
  // No customer: still enqueue (on the account key); the normalizer quarantines it as
  // `missing_customer_id`, so the raw item is kept and visible.
  return customerPart === undefined ? accountKey('whatsapp', accountId) : conversationKey('whatsapp', accountId, customerPart);
}

function contactsOf(contact: JsonObject | undefined): { contacts?: JsonObject[] } {
  return contact ? { contacts: [contact] } : {};
}

function without(value: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!keys.includes(k)) out[k] = v;
  return out;
}

function ingress(scope: EntryScope, key: string, eventId: string, payload: { field: string | null; value: unknown }): IngressEvent {
  const event: IngressEvent = {
    v: 1,
    kind: 'whatsapp.change',
    channel: 'whatsapp',
    entryId: scope.entryId,
    conversationKey: key,
    eventId,
    receivedAt: scope.ctx.receivedAt,
    payload,
  };
  if (scope.entryTime !== undefined) event.entryTime = scope.entryTime;
  return event;
}
