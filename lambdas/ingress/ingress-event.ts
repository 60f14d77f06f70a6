import type { Channel } from '#lambdas/conversation/model';

/**
 * One unit of work on the ingress FIFO queue: a single message, status, echo or other
 * change cut out of a Meta webhook POST. The webhook Lambda produces these without schema
 * validation (it must stay thin and fast); the normalizer validates them with zod.
 *
 * `payload` keeps Meta's own shape, sliced to one item, so the normalizer's schemas are
 * Meta's schemas:
 * - `whatsapp.change`: `{ field, value }` where `value.messages` / `value.statuses` hold at
 *   most one item and `value.contacts` only the matching contact.
 * - `messaging`: `{ source: 'messaging' | 'standby', item }` — one `entry[].messaging[]` item.
 * - `change`: `{ field, value }` — an Instagram/Messenger `entry[].changes[]` item.
 * - `quarantine`: the raw body (or what could be cut out of it) as text.
 */
export type IngressKind = 'whatsapp.change' | 'messaging' | 'change' | 'quarantine';

export interface IngressEvent {
  v: 1;
  kind: IngressKind;
  channel: Channel | 'unknown';
  /** Meta's top-level `object` (`whatsapp_business_account`, `instagram`, `page`), if any. */
  object?: string;
  /** `entry[].id`: WABA id, Instagram account id or Page id. */
  entryId?: string;
  /** `entry[].time` as Meta sent it. */
  entryTime?: number | string;
  /** Conversation key; becomes the SQS MessageGroupId (hashed when needed). */
  conversationKey: string;
  /** Stable provider identity; becomes the SQS MessageDeduplicationId (hashed). */
  eventId: string;
  /** When the webhook received the POST (ISO-8601). */
  receivedAt: string;
  payload: unknown;
  /** Set when kind is `quarantine`. */
  quarantineReason?: string;
  /** Set when the payload was too large for SQS and was stored in S3 instead. */
  claimCheck?: { bucket: string; key: string };
}

/** Context shared by the per-channel splitters. */
export interface SplitContext {
  receivedAt: string;
}
