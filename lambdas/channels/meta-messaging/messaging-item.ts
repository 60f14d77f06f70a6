import { idString } from '#lambdas/shared/ids';

/**
 * Plain structural reading of one Instagram/Messenger `messaging[]` (or `standby[]`) item,
 * shared by the webhook splitter (which must stay free of zod) and the normalizer, so both
 * agree on what an item is and whose conversation it belongs to.
 */

export type MessagingChannel = 'instagram' | 'messenger';

/** Prefix of event ids, matching the conversation-key prefix of the channel. */
export const EVENT_ID_PREFIX: Record<MessagingChannel, 'ig' | 'fb'> = { instagram: 'ig', messenger: 'fb' };

/**
 * Item keys that carry no message but are still worth recording as notifications.
 * Anything not listed here and not a message/receipt is an unknown type (quarantined).
 */
export const NOTIFICATION_ITEM_KEYS = [
  'optin',
  'account_linking',
  'policy-enforcement',
  'policy_enforcement',
  'pass_thread_control',
  'take_thread_control',
  'request_thread_control',
  'app_roles',
  'messaging_feedback',
  'game_play',
  'checkout_update',
  'payment',
] as const;
export type NotificationItemKey = (typeof NOTIFICATION_ITEM_KEYS)[number];

export type MessagingItemType =
  | 'message'
  | 'echo'
  | 'deleted'
  | 'edit'
  | 'reaction'
  | 'read'
  | 'delivery'
  | 'postback'
  | 'referral'
  | { notification: NotificationItemKey }
  | 'unknown';

export type Item = Record<string, unknown>;

export function isRecord(value: unknown): value is Item {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function field(item: Item, key: string): Item | undefined {
  const value = item[key];
  return isRecord(value) ? value : undefined;
}

/**
 * What kind of item this is. Order matters: a message may carry a `referral` (ads), so the
 * message wins over the referral; `is_deleted` wins over `is_echo` because a deleted echo
 * is still a deletion.
 */
export function classifyMessagingItem(item: Item): MessagingItemType {
  if (field(item, 'message_edit')) return 'edit';
  const message = field(item, 'message');
  if (message) {
    if (message.is_deleted === true) return 'deleted';
    return message.is_echo === true ? 'echo' : 'message';
  }
  if (field(item, 'reaction')) return 'reaction';
  if (field(item, 'read')) return 'read';
  if (field(item, 'delivery')) return 'delivery';
  if (field(item, 'postback')) return 'postback';
  if (field(item, 'referral')) return 'referral';
  const notification = NOTIFICATION_ITEM_KEYS.find((key) => item[key] !== undefined);
  return notification ? { notification } : 'unknown';
}

export function isEchoItem(item: Item): boolean {
  return field(item, 'message')?.is_echo === true;
}

/**
 * The customer side of an item. Meta puts the customer in `sender` for what the customer did
 * and in `recipient` for echoes of what the business sent. Some published payloads do not
 * follow that (an echo whose recipient is the account itself), so the side equal to the
 * account id is never taken for the customer when the other side is known. Returns undefined
 * when there is no customer to name (an edit without a sender, a checkbox opt-in): the caller
 * then orders the event with the account, and invents nothing.
 */
export function customerIdOf(accountId: string, item: Item): string | undefined {
  const sender = idString(field(item, 'sender')?.id);
  const recipient = idString(field(item, 'recipient')?.id);
  if (sender !== undefined && sender === accountId) return recipient;
  if (recipient !== undefined && recipient === accountId) return sender;
  return isEchoItem(item) ? recipient : sender;
}

/** `sender.id` as a string, when present. */
export function senderIdOf(item: Item): string | undefined {
  return idString(field(item, 'sender')?.id);
}
