/**
 * The canonical conversation model. Every channel normalizer turns one ingress event
 * (one WhatsApp message/status/change, one Instagram or Messenger `messaging` item) into
 * exactly one `NormalizedEvent`. Everything downstream (storage, agent, status tracking,
 * analytics) speaks only this model, never Meta's payload shapes.
 */

export type Channel = 'whatsapp' | 'instagram' | 'messenger';

/** Canonical message types, shared by all channels. */
export type MessageType =
  | 'text'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'file'
  | 'location'
  | 'contacts'
  /** A tap on a button, list row, quick reply or postback: `choice` holds id and title. */
  | 'choice'
  /** WhatsApp Flow (nfm_reply) submission: `flowResponse` holds the parsed response. */
  | 'flow_response'
  | 'reaction'
  | 'order'
  | 'system'
  /** Instagram share / reel / post shared into the chat. */
  | 'share'
  | 'story_mention'
  /** A message with no content of its own beyond an ad or link referral. */
  | 'referral'
  | 'unsupported';

/**
 * Who produced a message.
 * - `customer`: the end customer wrote it (the only origin the agent answers).
 * - `business_echo`: Meta echoes a message the business sent (Instagram/Messenger `is_echo`).
 * - `business_app`: a person at the business wrote it in the WhatsApp Business App (coexistence).
 * - `history`: imported chat history (WhatsApp coexistence onboarding); never answered.
 */
export type MessageOrigin = 'customer' | 'business_echo' | 'business_app' | 'history';

export interface CustomerRef {
  /** The id the conversation key uses: wa_id, else the business-scoped user id; IGSID; PSID. */
  id: string;
  /** WhatsApp phone-number id of the customer, when Meta sent it. */
  waId?: string;
  /** WhatsApp business-scoped user id (BSUID) and its parent, when Meta sent them. */
  userId?: string;
  parentUserId?: string;
  username?: string;
  /** Profile name as shown by the channel. PII: stored, never logged. */
  name?: string;
}

export interface MediaRef {
  /** Provider media id (WhatsApp) to be downloaded through the Graph API. */
  id?: string;
  /** Direct URL (Instagram/Messenger CDN, WhatsApp media URL when present). */
  url?: string;
  mimeType?: string;
  sha256?: string;
  filename?: string;
  caption?: string;
  voice?: boolean;
  animated?: boolean;
  /**
   * Instagram/Messenger: the type of the attachment this reference came from (a message can mix
   * an image with a shared link or a location). The media consumer downloads file types only.
   */
  attachmentType?: MessageType;
}

export interface LocationRef {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
}

export interface ChoiceRef {
  /** Payload / id the business defined for the button, row, quick reply or postback. */
  id?: string;
  title?: string;
  description?: string;
  source: 'button' | 'list' | 'quick_reply' | 'postback' | 'template_button';
}

export interface ReactionRef {
  /** Provider id of the message reacted to. */
  targetMessageId: string;
  /** Empty string or undefined means the reaction was removed. */
  emoji?: string;
  action: 'react' | 'unreact';
}

export interface ReferralRef {
  source?: string;
  sourceType?: string;
  sourceId?: string;
  sourceUrl?: string;
  headline?: string;
  ref?: string;
  adId?: string;
  ctwaClid?: string;
}

export interface ProviderError {
  code: number;
  title?: string;
  message?: string;
  details?: string;
}

interface EventBase {
  channel: Channel;
  /** Conversation key, e.g. `wa:<phone_number_id>:<wa_id>`; see conversation/conversation-key.ts. */
  conversationKey: string;
  /** Business-side account: WhatsApp phone_number_id, Instagram account id, Facebook Page id. */
  accountId: string;
  /** WhatsApp Business Account id (entry.id) for WhatsApp; entry.id otherwise. */
  businessAccountId: string;
  /** When Meta says it happened (ISO-8601). */
  occurredAt: string;
  /** Stable identity of this provider event; the idempotency key of everything it writes. */
  eventId: string;
  /** Payload ids too long for keys, as sent (cut to a bound), by the field they were replaced in; see bound-event-ids.ts. */
  rawIds?: Record<string, string>;
}

export interface MessageEvent extends EventBase {
  kind: 'message';
  direction: 'inbound' | 'outbound';
  origin: MessageOrigin;
  providerMessageId: string;
  customer: CustomerRef;
  type: MessageType;
  /** Text, caption-less body, or the readable title of a choice. PII. */
  text?: string;
  media?: MediaRef[];
  location?: LocationRef;
  /** WhatsApp contacts message, kept as sent (names/phones of third parties). PII. */
  contacts?: unknown[];
  choice?: ChoiceRef;
  flowResponse?: Record<string, unknown>;
  reaction?: ReactionRef;
  order?: { catalogId?: string; text?: string; items: Array<{ productRetailerId: string; quantity: number; itemPrice?: number; currency?: string }> };
  system?: { type?: string; body?: string; newWaId?: string; identity?: string };
  referral?: ReferralRef;
  /** Provider id of the message this one replies to (WhatsApp context.id, Instagram reply_to.mid). */
  replyToMessageId?: string;
  /** Instagram story reply: the story the customer answered. */
  storyReply?: { id?: string; url?: string };
  forwarded?: boolean;
  frequentlyForwarded?: boolean;
  /** WhatsApp group the message was sent in. */
  groupId?: string;
  /** Meta's errors attached to the message (e.g. 131051 unsupported type). */
  errors?: ProviderError[];
  /** The app (Instagram/Messenger echo) that sent an echoed message, when known. */
  appId?: string;
  /**
   * Instagram/Messenger `standby[]` item: another app owns the thread (handover protocol), so
   * the message is recorded but never answered by the bot.
   */
  standby?: boolean;
  /**
   * Delivery state the provider reported together with the message itself, before any
   * StatusEvent: WhatsApp history imports carry it as `history_context.status`. Later
   * StatusEvents for the same message supersede it.
   */
  deliveryStatus?: DeliveryStatus;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed' | 'deleted';

export interface StatusEvent extends EventBase {
  kind: 'status';
  status: DeliveryStatus;
  /** The business message the status is about; absent for watermark-only receipts. */
  providerMessageId?: string;
  /** Messenger delivery receipts may name several messages. */
  providerMessageIds?: string[];
  /** Messenger/Instagram `read`/`delivery` watermark: everything sent before it (ISO-8601). */
  watermark?: string;
  customer: CustomerRef;
  errors?: ProviderError[];
  pricing?: { category?: string; billable?: boolean; pricingModel?: string; type?: string };
  /** WhatsApp conversation (billing) id and origin, when present. */
  billingConversation?: { id?: string; originType?: string; expiresAt?: string };
  bizOpaqueCallbackData?: string;
}

export interface MessageChangeEvent extends EventBase {
  kind: 'message_deleted' | 'message_edited';
  providerMessageId: string;
  customer?: CustomerRef;
  /** The new text for an edit. PII. */
  text?: string;
  editCount?: number;
  origin: MessageOrigin;
}

/**
 * Account-, template- and number-level changes: WhatsApp account_update, phone number
 * quality/name updates, template status/category/quality updates, user preferences,
 * identity changes, contact syncs, Messenger opt-ins, Instagram comments and so on.
 * Recorded, published, never answered by the agent.
 */
export interface NotificationEvent extends EventBase {
  kind: 'notification';
  /** `<channel>.<field or messaging type>`, e.g. `whatsapp.account_update`, `messenger.optin`. */
  topic: string;
  /** Flat, typed summary for analysts (event, status, reason, template id, …). */
  details: Record<string, string | number | boolean | null>;
  customer?: CustomerRef;
}

export interface QuarantineEvent {
  kind: 'quarantine';
  channel: Channel | 'unknown';
  conversationKey: string;
  eventId: string;
  occurredAt: string;
  /** Machine-readable reason, e.g. `missing_object`, `invalid_json`, `schema:whatsapp.message`. */
  reason: string;
  /** Human-readable detail (zod issue paths, never payload values). */
  detail?: string;
  rawIds?: Record<string, string>;
}

export type NormalizedEvent = MessageEvent | StatusEvent | MessageChangeEvent | NotificationEvent | QuarantineEvent;
