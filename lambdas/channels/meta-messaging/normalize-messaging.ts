import type * as z from 'zod/mini';
import { compact, messageContent, referralRef } from '#lambdas/channels/meta-messaging/message-content';
import {
  classifyMessagingItem,
  customerIdOf,
  senderIdOf,
  type Item,
  type MessagingChannel,
  type NotificationItemKey,
} from '#lambdas/channels/meta-messaging/messaging-item';
import {
  AccountLinkingSchema,
  CommentsValueSchema,
  DeliveryItemSchema,
  EditItemSchema,
  GenericNotificationSchema,
  IngressChangePayload,
  IngressMessagingPayload,
  MentionsValueSchema,
  MessageItemSchema,
  NotificationItemSchema,
  OptinSchema,
  Participant,
  PolicyEnforcementSchema,
  PostbackItemSchema,
  ReactionItemSchema,
  ReadItemSchema,
  ReferralItemSchema,
  ThreadControlSchema,
} from '#lambdas/channels/meta-messaging/messaging-schemas';
import {
  accountLinkingDetails,
  idAndStateDetails,
  optinDetails,
  policyEnforcementDetails,
  threadControlDetails,
  type Details,
} from '#lambdas/channels/meta-messaging/notification-details';
import type {
  CustomerRef,
  MessageChangeEvent,
  MessageEvent,
  NormalizedEvent,
  NotificationEvent,
  QuarantineEvent,
  StatusEvent,
} from '#lambdas/conversation/model';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { toIsoTime } from '#lambdas/shared/time';

/**
 * Turns one Instagram/Messenger ingress event (a `messaging[]`/`standby[]` item or a `changes[]`
 * item) into the canonical model. Never throws on bad provider data: what does not fit comes
 * back as a quarantine event whose detail lists zod issue paths only (values may be PII).
 */
export function normalizeMessaging(event: IngressEvent): NormalizedEvent {
  if (event.channel !== 'instagram' && event.channel !== 'messenger') {
    return quarantine(event, `unroutable:${event.channel}:${event.kind}`);
  }
  if (event.entryId === undefined) return quarantine(event, 'missing_entry_id');
  const ctx: Ctx = { event, channel: event.channel, accountId: event.entryId };
  if (event.kind === 'change') return normalizeChange(ctx);
  if (event.kind === 'messaging') return normalizeItem(ctx);
  return quarantine(event, `unroutable:${event.channel}:${event.kind}`);
}

interface Ctx {
  event: IngressEvent;
  channel: MessagingChannel;
  accountId: string;
}

type Base = Pick<MessageEvent, 'channel' | 'conversationKey' | 'accountId' | 'businessAccountId' | 'occurredAt' | 'eventId'>;

function base(ctx: Ctx, timestamp: unknown): Base {
  const { event } = ctx;
  return {
    channel: ctx.channel,
    conversationKey: event.conversationKey,
    accountId: ctx.accountId,
    businessAccountId: ctx.accountId,
    occurredAt: toIsoTime(timestamp) ?? toIsoTime(event.entryTime) ?? event.receivedAt,
    eventId: event.eventId,
  };
}

function normalizeItem(ctx: Ctx): NormalizedEvent {
  const payload = IngressMessagingPayload.safeParse(ctx.event.payload);
  if (!payload.success) return schemaQuarantine(ctx, 'ingress_payload', payload.error);
  const { item, source } = payload.data;
  const standby = source === 'standby';
  const type = classifyMessagingItem(item);
  const customerId = customerIdOf(ctx.accountId, item);
  // Sent by the business itself (a page reacting, editing, or an echo seen from its side).
  const fromBusiness = senderIdOf(item) === ctx.accountId;

  switch (type) {
    case 'message':
    case 'echo':
      return messageEvent(ctx, item, customerId, standby);
    case 'deleted':
      return deletedEvent(ctx, item, customerId);
    case 'edit':
      return editedEvent(ctx, item, customerId, fromBusiness);
    case 'reaction':
      return reactionEvent(ctx, item, customerId, fromBusiness, standby);
    case 'read':
    case 'delivery':
      return statusEvent(ctx, item, type, customerId);
    case 'postback':
      return postbackEvent(ctx, item, customerId, standby);
    case 'referral':
      return referralEvent(ctx, item, customerId, standby);
    case 'unknown': {
      // Keys are Meta's field names, never values: safe to show.
      const keys = Object.keys(item).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
      return quarantine(ctx.event, 'unknown_messaging_type', `keys: ${keys.join(',').slice(0, 200)}`);
    }
    default:
      return notificationEvent(ctx, item, type.notification, customerId, standby);
  }
}

function messageEvent(ctx: Ctx, raw: Item, customerId: string | undefined, standby: boolean): NormalizedEvent {
  const parsed = MessageItemSchema.safeParse(raw);
  if (!parsed.success) return schemaQuarantine(ctx, 'message', parsed.error);
  if (customerId === undefined) return quarantine(ctx.event, 'missing_customer', 'message');
  const item = parsed.data;
  const message = item.message;
  const isEcho = message.is_echo === true;
  const referral = message.referral ?? item.referral;
  const replyTo = message.reply_to;
  const event: MessageEvent = {
    ...base(ctx, item.timestamp),
    kind: 'message',
    direction: isEcho ? 'outbound' : 'inbound',
    origin: isEcho ? 'business_echo' : 'customer',
    providerMessageId: message.mid,
    customer: { id: customerId },
    ...messageContent(message),
    ...compact({
      referral: referral ? referralRef(referral) : undefined,
      replyToMessageId: replyTo?.mid ?? undefined,
      storyReply: replyTo?.story ? compact({ id: replyTo.story.id ?? undefined, url: replyTo.story.url ?? undefined }) : undefined,
      appId: isEcho ? (message.app_id ?? undefined) : undefined,
      standby: standby || undefined,
    }),
  };
  return event;
}

function deletedEvent(ctx: Ctx, raw: Item, customerId: string | undefined): NormalizedEvent {
  const parsed = MessageItemSchema.safeParse(raw);
  if (!parsed.success) return schemaQuarantine(ctx, 'deleted', parsed.error);
  const { message, timestamp } = parsed.data;
  const event: MessageChangeEvent = {
    ...base(ctx, timestamp),
    kind: 'message_deleted',
    providerMessageId: message.mid,
    origin: message.is_echo === true ? 'business_echo' : 'customer',
    ...compact({ customer: customerRef(customerId) }),
  };
  return event;
}

/**
 * Meta sends `message_edit` for edits by the customer; an Instagram edit may come without a
 * sender, and is then applied by message id alone (no customer is invented).
 */
function editedEvent(ctx: Ctx, raw: Item, customerId: string | undefined, fromBusiness: boolean): NormalizedEvent {
  const parsed = EditItemSchema.safeParse(raw);
  if (!parsed.success) return schemaQuarantine(ctx, 'edit', parsed.error);
  const { message_edit: edit, timestamp } = parsed.data;
  const editCount = edit.num_edit === undefined || edit.num_edit === null ? undefined : Number(edit.num_edit);
  const event: MessageChangeEvent = {
    ...base(ctx, timestamp),
    kind: 'message_edited',
    providerMessageId: edit.mid,
    origin: fromBusiness ? 'business_echo' : 'customer',
    ...compact({
      customer: customerRef(customerId),
      text: edit.text ?? undefined,
      editCount: editCount !== undefined && Number.isFinite(editCount) ? editCount : undefined,
    }),
  };
  return event;
}

/**
 * Reactions, postbacks without a mid and referrals have no message id of their own; the event
 * id stands in, so what they write stays keyed uniquely and stably.
 */
function reactionEvent(ctx: Ctx, raw: Item, customerId: string | undefined, fromBusiness: boolean, standby: boolean): NormalizedEvent {
  const parsed = ReactionItemSchema.safeParse(raw);
  if (!parsed.success) return schemaQuarantine(ctx, 'reaction', parsed.error);
  if (customerId === undefined) return quarantine(ctx.event, 'missing_customer', 'reaction');
  const { reaction, timestamp } = parsed.data;
  const action: 'react' | 'unreact' = reaction.action === 'unreact' ? 'unreact' : 'react';
  // A react without an emoji still names the reaction ("like", "love"): keep the name rather
  // than an empty emoji, which would read as a removal.
  const emoji = action === 'react' ? reaction.emoji || reaction.reaction || undefined : undefined;
  const event: MessageEvent = {
    ...base(ctx, timestamp),
    kind: 'message',
    direction: fromBusiness ? 'outbound' : 'inbound',
    origin: fromBusiness ? 'business_echo' : 'customer',
    providerMessageId: ctx.event.eventId,
    customer: { id: customerId },
    type: 'reaction',
    reaction: compact({ targetMessageId: reaction.mid, emoji, action }),
    ...compact({ standby: standby || undefined }),
  };
  return event;
}

function statusEvent(ctx: Ctx, raw: Item, type: 'read' | 'delivery', customerId: string | undefined): NormalizedEvent {
  if (type === 'read') {
    const parsed = ReadItemSchema.safeParse(raw);
    if (!parsed.success) return schemaQuarantine(ctx, 'read', parsed.error);
    if (customerId === undefined) return quarantine(ctx.event, 'missing_customer', 'read');
    const { read, timestamp } = parsed.data;
    const event: StatusEvent = {
      ...base(ctx, timestamp),
      kind: 'status',
      status: 'read',
      customer: { id: customerId },
      ...compact({ providerMessageId: read.mid ?? undefined, watermark: toIsoTime(read.watermark) }),
    };
    return event;
  }
  const parsed = DeliveryItemSchema.safeParse(raw);
  if (!parsed.success) return schemaQuarantine(ctx, 'delivery', parsed.error);
  if (customerId === undefined) return quarantine(ctx.event, 'missing_customer', 'delivery');
  const { delivery, timestamp } = parsed.data;
  const mids = delivery.mids ?? [];
  const event: StatusEvent = {
    ...base(ctx, timestamp),
    kind: 'status',
    status: 'delivered',
    customer: { id: customerId },
    ...compact({
      // A receipt for exactly one message also names it singly, so status tracking that
      // looks only at providerMessageId still applies it.
      providerMessageId: mids.length === 1 ? mids[0] : undefined,
      providerMessageIds: mids.length > 0 ? mids : undefined,
      watermark: toIsoTime(delivery.watermark),
    }),
  };
  return event;
}

function postbackEvent(ctx: Ctx, raw: Item, customerId: string | undefined, standby: boolean): NormalizedEvent {
  const parsed = PostbackItemSchema.safeParse(raw);
  if (!parsed.success) return schemaQuarantine(ctx, 'postback', parsed.error);
  if (customerId === undefined) return quarantine(ctx.event, 'missing_customer', 'postback');
  const { postback, timestamp } = parsed.data;
  const title = postback.title || undefined;
  const event: MessageEvent = {
    ...base(ctx, timestamp),
    kind: 'message',
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: postback.mid ?? ctx.event.eventId,
    customer: { id: customerId },
    type: 'choice',
    choice: compact({ id: postback.payload ?? undefined, title, source: 'postback' as const }),
    ...compact({
      text: title,
      referral: postback.referral ? referralRef(postback.referral) : undefined,
      standby: standby || undefined,
    }),
  };
  return event;
}

function referralEvent(ctx: Ctx, raw: Item, customerId: string | undefined, standby: boolean): NormalizedEvent {
  const parsed = ReferralItemSchema.safeParse(raw);
  if (!parsed.success) return schemaQuarantine(ctx, 'referral', parsed.error);
  if (customerId === undefined) return quarantine(ctx.event, 'missing_customer', 'referral');
  const event: MessageEvent = {
    ...base(ctx, parsed.data.timestamp),
    kind: 'message',
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: ctx.event.eventId,
    customer: { id: customerId },
    type: 'referral',
    referral: referralRef(parsed.data.referral),
    ...compact({ standby: standby || undefined }),
  };
  return event;
}

/** Validates a notification body and maps it to details; Meta's other notification types get ids and states only. */
function notificationDetails(key: NotificationItemKey, body: unknown): { details: Details } | { error: z.core.$ZodError } {
  switch (key) {
    case 'optin':
      return detailsFrom(OptinSchema, body, optinDetails);
    case 'account_linking':
      return detailsFrom(AccountLinkingSchema, body, accountLinkingDetails);
    case 'policy-enforcement':
    case 'policy_enforcement':
      return detailsFrom(PolicyEnforcementSchema, body, policyEnforcementDetails);
    case 'pass_thread_control':
    case 'take_thread_control':
    case 'request_thread_control':
      return detailsFrom(ThreadControlSchema, body, threadControlDetails);
    default:
      return detailsFrom(GenericNotificationSchema, body, idAndStateDetails);
  }
}

function detailsFrom<S extends z.ZodMiniType>(
  schema: S,
  body: unknown,
  map: (value: z.infer<S>) => Details,
): { details: Details } | { error: z.core.$ZodError } {
  const parsed = schema.safeParse(body);
  return parsed.success ? { details: map(parsed.data) } : { error: parsed.error };
}

function notificationEvent(ctx: Ctx, raw: Item, key: NotificationItemKey, customerId: string | undefined, standby: boolean): NormalizedEvent {
  const parsed = NotificationItemSchema.safeParse(raw);
  if (!parsed.success) return schemaQuarantine(ctx, key, parsed.error);
  const mapped = notificationDetails(key, raw[key]);
  if ('error' in mapped) return schemaQuarantine(ctx, key, mapped.error, key);
  const { details } = mapped;
  if (standby) details.standby = true;
  const event: NotificationEvent = {
    ...base(ctx, parsed.data.timestamp),
    kind: 'notification',
    // Topics use underscores throughout (Meta spells one of these `policy-enforcement`).
    topic: `${ctx.channel}.${key.replace(/-/g, '_')}`,
    details,
    ...compact({ customer: customerRef(customerId) }),
  };
  return event;
}

/**
 * `changes[]` items (Instagram `comments`, `mentions`, Page feed changes…) are recorded as
 * notifications; the agent does not answer comments.
 *
 * The App Dashboard's "Test" button posts a `messages` change for account id "0" shaped like
 * a messaging item. Real messages always arrive in `messaging[]`, so a `messages` change is
 * recorded as a notification (flagged `dashboardTest` for account "0"): the operator sees the
 * test arrive and the bot never tries to answer a customer who does not exist.
 */
function normalizeChange(ctx: Ctx): NormalizedEvent {
  const payload = IngressChangePayload.safeParse(ctx.event.payload);
  if (!payload.success) return schemaQuarantine(ctx, 'change', payload.error);
  const { field, value } = payload.data;
  let details: Details;
  let customer: CustomerRef | undefined;
  if (field === 'comments') {
    const comment = CommentsValueSchema.safeParse(value);
    if (!comment.success) return schemaQuarantine(ctx, field, comment.error, 'value');
    const c = comment.data;
    details = flatIds({
      commentId: c.id,
      mediaId: c.media?.id,
      mediaProductType: c.media?.media_product_type,
      parentId: c.parent_id,
    });
    customer = c.from ? compact({ id: c.from.id, username: c.from.username ?? undefined }) : undefined;
  } else if (field === 'mentions') {
    const mention = MentionsValueSchema.safeParse(value);
    if (!mention.success) return schemaQuarantine(ctx, field, mention.error, 'value');
    details = flatIds({ commentId: mention.data.comment_id, mediaId: mention.data.media_id });
  } else {
    details = idAndStateDetails(value);
    const from = Participant.safeParse(value.from);
    customer = from.success ? { id: from.data.id } : undefined;
  }
  if (ctx.accountId === '0') details.dashboardTest = true;
  const event: NotificationEvent = {
    ...base(ctx, value.timestamp),
    kind: 'notification',
    topic: `${ctx.channel}.${field.replace(/-/g, '_')}`,
    details,
    ...compact({ customer }),
  };
  return event;
}

function flatIds(values: Record<string, string | null | undefined>): Details {
  const details: Details = {};
  for (const [key, value] of Object.entries(values)) if (value) details[key] = value;
  return details;
}

function customerRef(customerId: string | undefined): CustomerRef | undefined {
  return customerId === undefined ? undefined : { id: customerId };
}

function schemaQuarantine(ctx: Ctx, what: string, error: z.core.$ZodError, pathPrefix?: string): QuarantineEvent {
  const kind = ctx.event.kind === 'change' ? 'change' : 'messaging';
  const paths = error.issues.slice(0, 10).map((issue) => `${[pathPrefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)'}:${issue.code}`);
  return quarantine(ctx.event, `schema:${ctx.channel}.${kind}`, `${what}: ${paths.join(', ')}`);
}

function quarantine(event: IngressEvent, reason: string, detail?: string): QuarantineEvent {
  return {
    kind: 'quarantine',
    channel: event.channel,
    conversationKey: event.conversationKey,
    eventId: event.eventId,
    occurredAt: event.receivedAt,
    reason,
    ...(detail === undefined ? {} : { detail }),
  };
}
