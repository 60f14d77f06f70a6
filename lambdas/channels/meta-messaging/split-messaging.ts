import {
  classifyMessagingItem,
  customerIdOf,
  EVENT_ID_PREFIX,
  isRecord,
  senderIdOf,
  type Item,
  type MessagingChannel,
} from '#lambdas/channels/meta-messaging/messaging-item';
import { accountKey, conversationKey } from '#lambdas/conversation/conversation-key';
import type { IngressEvent, SplitContext } from '#lambdas/ingress/ingress-event';
import { boundedId } from '#lambdas/shared/bounded-id';
import { contentId } from '#lambdas/shared/hash';
import { idString } from '#lambdas/shared/ids';

/**
 * Cuts one Instagram (`object: instagram`) or Messenger (`object: page`) webhook entry into
 * ingress events: one per `messaging[]` item, per `standby[]` item and per `changes[]` item.
 *
 * Runs in the webhook Lambda, so it only reads enough structure to key each event (conversation
 * key for FIFO ordering, event id for de-duplication); validation is the normalizer's job. An
 * item that is not even an object still becomes an event, keyed to the account, so the normalizer
 * quarantines it alone while its siblings go through. Throws only when the entry itself cannot
 * be keyed (no account id), which makes the caller quarantine the whole entry.
 */
export function splitMessagingEntry(channel: MessagingChannel, entry: unknown, ctx: SplitContext): IngressEvent[] {
  if (!isRecord(entry)) throw new TypeError('entry is not an object');
  const entryId = idString(entry.id);
  if (entryId === undefined) throw new TypeError('entry has no id');

  const base = {
    v: 1 as const,
    channel,
    entryId,
    receivedAt: ctx.receivedAt,
    ...(typeof entry.time === 'number' || typeof entry.time === 'string' ? { entryTime: entry.time } : {}),
  };
  const events: IngressEvent[] = [];
  for (const source of ['messaging', 'standby'] as const) {
    for (const item of listOf(entry, source)) {
      events.push({
        ...base,
        kind: 'messaging',
        conversationKey: messagingConversationKey(channel, entryId, item),
        eventId: messagingEventId(channel, item),
        payload: { source, item },
      });
    }
  }
  for (const change of listOf(entry, 'changes')) {
    const fieldName = isRecord(change) ? change.field : undefined;
    const value = isRecord(change) ? change.value : undefined;
    events.push({
      ...base,
      kind: 'change',
      conversationKey: changeConversationKey(channel, entryId, value),
      eventId: changeEventId(channel, entryId, change),
      payload: { field: fieldName, value },
    });
  }
  return events;
}

function listOf(entry: Item, key: string): unknown[] {
  const value = entry[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new TypeError(`entry.${key} is not an array`);
  return value;
}

function messagingConversationKey(channel: MessagingChannel, entryId: string, item: unknown): string {
  const customerId = isRecord(item) ? customerIdOf(entryId, item) : undefined;
  return customerId === undefined ? accountKey(channel, entryId) : conversationKey(channel, entryId, customerId);
}

function changeConversationKey(channel: MessagingChannel, entryId: string, value: unknown): string {
  const from = isRecord(value) && isRecord(value.from) ? idString(value.from.id) : undefined;
  return from === undefined ? accountKey(channel, entryId) : conversationKey(channel, entryId, from);
}

/**
 * Stable across redeliveries: built from Meta's own ids where the item has them, otherwise a
 * hash of the item that ignores key order (Meta does not promise the same order twice).
 */
export function messagingEventId(channel: MessagingChannel, item: unknown): string {
  const p = EVENT_ID_PREFIX[channel];
  if (!isRecord(item)) return contentId(`${p}:invalid`, item);
  const type = classifyMessagingItem(item);
  // Each payload part is bounded, so an event id is never longer than its parts' bounds allow.
  const id = (value: unknown) => {
    const s = idString(value);
    return s === undefined ? undefined : boundedId(s);
  };
  const sender = id(senderIdOf(item)) ?? '';
  switch (type) {
    case 'message':
    case 'echo':
    case 'deleted': {
      const mid = id(sub(item, 'message').mid);
      const label = type === 'message' ? 'msg' : type;
      return mid === undefined ? contentId(`${p}:${label}`, item) : `${p}:${label}:${mid}`;
    }
    case 'edit': {
      const edit = sub(item, 'message_edit');
      const mid = id(edit.mid);
      if (mid === undefined) return contentId(`${p}:edit`, item);
      return `${p}:edit:${mid}:${id(edit.num_edit) ?? '0'}`;
    }
    case 'reaction': {
      const reaction = sub(item, 'reaction');
      const mid = id(reaction.mid);
      if (mid === undefined) return contentId(`${p}:reaction`, item);
      const action = typeof reaction.action === 'string' ? boundedId(reaction.action) : '';
      const emoji = boundedId(typeof reaction.emoji === 'string' ? reaction.emoji : typeof reaction.reaction === 'string' ? reaction.reaction : '');
      // The timestamp is part of the identity: it is the same on a redelivery, but tells apart
      // react → unreact → react with the same emoji inside SQS's five-minute deduplication window.
      const at = id((item as { timestamp?: unknown }).timestamp) ?? '';
      return `${p}:reaction:${mid}:${action}:${emoji}:${sender}:${at}`;
    }
    case 'read': {
      const read = sub(item, 'read');
      const mark = id(read.mid) ?? id(read.watermark);
      return mark === undefined ? contentId(`${p}:read`, item) : `${p}:read:${mark}:${sender}`;
    }
    case 'delivery': {
      const watermark = id(sub(item, 'delivery').watermark);
      return watermark === undefined ? contentId(`${p}:delivery`, item) : `${p}:delivery:${watermark}:${sender}`;
    }
    case 'postback': {
      const mid = id(sub(item, 'postback').mid);
      return mid === undefined ? contentId(`${p}:postback`, item) : `${p}:postback:${mid}`;
    }
    case 'referral':
    case 'unknown':
      return contentId(`${p}:${type}`, item);
    default:
      return contentId(`${p}:${type.notification}`, item);
  }
}

/**
 * The same comment or mention can reach two accounts (a comment mentioning another account),
 * so the account id is part of what is hashed.
 */
function changeEventId(channel: MessagingChannel, entryId: string, change: unknown): string {
  const p = EVENT_ID_PREFIX[channel];
  // Bounded: the field name is Meta's text and ends up in a de-duplication id.
  const fieldName = isRecord(change) && typeof change.field === 'string' ? change.field.slice(0, 40) : 'change';
  return contentId(`${p}:${fieldName}`, { entryId, change });
}

function sub(item: Item, key: string): Item {
  const value = item[key];
  return isRecord(value) ? value : {};
}
