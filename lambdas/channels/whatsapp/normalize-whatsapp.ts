/**
 * Turns one WhatsApp ingress event (a change sliced to one item by split-whatsapp.ts) into the
 * canonical model. Never throws: data that does not fit becomes a QuarantineEvent whose reason
 * is machine-readable and whose detail names zod issue paths only (values may be PII).
 */
import type * as z from 'zod/mini';
import { accountKey, conversationKey, QUARANTINE_KEY } from '#lambdas/conversation/conversation-key';
import type {
  DeliveryStatus,
  MessageChangeEvent,
  MessageEvent,
  MessageOrigin,
  NormalizedEvent,
  NotificationEvent,
  QuarantineEvent,
  StatusEvent,
} from '#lambdas/conversation/model';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { idString } from '#lambdas/shared/ids';
import { toIsoTime } from '#lambdas/shared/time';
import { compact } from '#lambdas/channels/whatsapp/compact';
import {
  accountIdOf,
  asObject,
  customerRef,
  echoCustomerPart,
  matchingContact,
  messageCustomerPart,
  otherFieldCustomerPart,
  recipientOfEcho,
  recipientOfStatus,
  senderOf,
  statusCustomerPart,
  type JsonObject,
  type Party,
} from '#lambdas/channels/whatsapp/whatsapp-identities';
import { messageContent, providerError } from '#lambdas/channels/whatsapp/whatsapp-message-content';
import { errorDetails, flat, genericDetails, NOTIFICATION_MAPPERS, type NotificationParts } from '#lambdas/channels/whatsapp/whatsapp-notifications';
import {
  ChangeSchema,
  EchoValueSchema,
  ErrorsValueSchema,
  HistoryErrorsValueSchema,
  HistoryMessageValueSchema,
  MessageValueSchema,
  StatusValueSchema,
  type WaMessage,
} from '#lambdas/channels/whatsapp/whatsapp-schemas';

/** What every event cut from one change shares. */
interface Scope {
  event: IngressEvent;
  field: string;
  /** The raw (loose) value, for the key derivation shared with the splitter. */
  raw: JsonObject;
  entryId: string;
  accountId: string;
  /** Entry time, else when the webhook received the POST. */
  fallbackTime: string;
}

export function normalizeWhatsApp(event: IngressEvent): NormalizedEvent {
  try {
    return normalizeChange(event);
  } catch (err) {
    // A bug here must not lose the event: park it with the error's class name only.
    return quarantine(event, `normalizer_error:${(err as Error | undefined)?.name ?? 'unknown'}`);
  }
}

function normalizeChange(event: IngressEvent): NormalizedEvent {
  const change = ChangeSchema.safeParse(event.payload);
  if (!change.success) return quarantine(event, 'schema:whatsapp.change', issuePaths(change.error));
  const entryId = event.entryId;
  if (entryId === undefined || entryId === '') return quarantine(event, 'missing_entry_id');
  const { field } = change.data;
  const raw = change.data.value;
  const scope: Scope = {
    event,
    field,
    raw,
    entryId,
    accountId: accountIdOf(raw, entryId),
    fallbackTime: toIsoTime(event.entryTime) ?? event.receivedAt,
  };
  switch (field) {
    case 'messages':
      if (Array.isArray(raw.messages)) return inboundMessage(scope);
      if (Array.isArray(raw.statuses)) return status(scope);
      if (raw.errors !== undefined) return valueErrors(scope);
      return quarantine(event, 'schema:whatsapp.messages', 'value: no messages, statuses or errors');
    case 'smb_message_echoes':
      return echo(scope);
    case 'history':
      return history(scope);
    default:
      return notification(scope);
  }
}

function inboundMessage(scope: Scope): NormalizedEvent {
  const parsed = MessageValueSchema.safeParse(scope.raw);
  if (!parsed.success) return quarantine(scope.event, 'schema:whatsapp.message', issuePaths(parsed.error, 'value'));
  const [message] = parsed.data.messages;
  const rawMessage = asObject((scope.raw.messages as unknown[])[0]) ?? {};
  const part = messageCustomerPart(rawMessage, scope.raw.contacts);
  if (part === undefined) return quarantine(scope.event, 'missing_customer_id', 'value.messages.0: no from, from_user_id or contact');
  const who = senderOf(rawMessage);
  const customer = customerRef(part, who, matchingContact(scope.raw.contacts, who));
  const key = conversationKey('whatsapp', scope.accountId, part);
  if (message.type === 'edit' || message.type === 'revoke') {
    return messageChange(scope, message, key, customer, 'customer');
  }
  return messageEvent(scope, message, { key, customer, direction: 'inbound', origin: 'customer', valueErrors: parsed.data.errors });
}

function echo(scope: Scope): NormalizedEvent {
  const parsed = EchoValueSchema.safeParse(scope.raw);
  if (!parsed.success) return quarantine(scope.event, 'schema:whatsapp.echo', issuePaths(parsed.error, 'value'));
  const [message] = parsed.data.message_echoes;
  const rawEcho = asObject((scope.raw.message_echoes as unknown[])[0]) ?? {};
  const part = echoCustomerPart(rawEcho, scope.raw.contacts);
  if (part === undefined) return quarantine(scope.event, 'missing_customer_id', 'value.message_echoes.0: no to or to_user_id');
  const who = recipientOfEcho(rawEcho);
  const customer = customerRef(part, who, matchingContact(scope.raw.contacts, who));
  const key = conversationKey('whatsapp', scope.accountId, part);
  if (message.type === 'edit' || message.type === 'revoke') {
    return messageChange(scope, message, key, customer, 'business_app');
  }
  return messageEvent(scope, message, { key, customer, direction: 'outbound', origin: 'business_app' });
}

function history(scope: Scope): NormalizedEvent {
  const chunk = asObject(Array.isArray(scope.raw.history) ? scope.raw.history[0] : undefined);
  if (chunk && chunk.threads === undefined && chunk.errors !== undefined) {
    const parsed = HistoryErrorsValueSchema.safeParse(scope.raw);
    if (!parsed.success) return quarantine(scope.event, 'schema:whatsapp.history', issuePaths(parsed.error, 'value'));
    const [item] = parsed.data.history;
    return notificationEvent(scope, {
      details: {
        ...errorDetails(item.errors),
        ...flat({ phase: item.metadata?.phase, chunk_order: item.metadata?.chunk_order, progress: item.metadata?.progress }),
      },
    });
  }
  const parsed = HistoryMessageValueSchema.safeParse(scope.raw);
  if (!parsed.success) return quarantine(scope.event, 'schema:whatsapp.history', issuePaths(parsed.error, 'value'));
  const [thread] = parsed.data.history[0].threads;
  const [message] = thread.messages;
  // The thread id is the customer; a message from anyone else in the thread is the business.
  const outbound = message.history_context?.from_me === true || (message.from !== undefined && message.from !== thread.id);
  const key = conversationKey('whatsapp', scope.accountId, thread.id);
  const customer = customerRef(thread.id, { waId: thread.id }, undefined);
  const normalized = messageEvent(scope, message, {
    key,
    customer,
    direction: outbound ? 'outbound' : 'inbound',
    origin: 'history',
  });
  // history_context.status is the message's delivery state at import time (for an inbound
  // message: whether the business had read it). It has no StatusEvent of its own, so it
  // travels with the message as deliveryStatus; PENDING maps to nothing (not yet sent).
  const deliveryStatus = historyStatus(message.history_context?.status);
  if (normalized.kind === 'message' && deliveryStatus) normalized.deliveryStatus = deliveryStatus;
  return normalized;
}

function historyStatus(status: string | null | undefined): DeliveryStatus | undefined {
  switch (status?.toLowerCase()) {
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'played':
      return 'played';
    case 'error':
    case 'failed':
      return 'failed';
    default:
      return undefined;
  }
}

interface MessageSide {
  key: string;
  customer: MessageEvent['customer'];
  direction: MessageEvent['direction'];
  origin: MessageOrigin;
  valueErrors?: Parameters<typeof messageContent>[1];
}

function messageEvent(scope: Scope, message: WaMessage, side: MessageSide): MessageEvent | QuarantineEvent {
  const content = messageContent(message, side.valueErrors);
  if (!content.ok) {
    const detail = `${messagePath(scope.field)}.${content.missing}: missing for type ${content.missing}`;
    return quarantine(scope.event, schemaReason(scope.field), detail);
  }
  return {
    kind: 'message',
    channel: 'whatsapp',
    conversationKey: side.key,
    accountId: scope.accountId,
    businessAccountId: scope.entryId,
    occurredAt: toIsoTime(message.timestamp) ?? scope.fallbackTime,
    eventId: scope.event.eventId,
    direction: side.direction,
    origin: side.origin,
    providerMessageId: message.id,
    customer: side.customer,
    ...content.content,
  };
}

function messageChange(
  scope: Scope,
  message: WaMessage,
  key: string,
  customer: MessageEvent['customer'],
  origin: MessageOrigin,
): MessageChangeEvent | QuarantineEvent {
  const base = {
    channel: 'whatsapp' as const,
    conversationKey: key,
    accountId: scope.accountId,
    businessAccountId: scope.entryId,
    occurredAt: toIsoTime(message.timestamp) ?? scope.fallbackTime,
    eventId: scope.event.eventId,
    customer,
    origin,
  };
  if (message.type === 'revoke') {
    if (!message.revoke) return quarantine(scope.event, schemaReason(scope.field), `${messagePath(scope.field)}.revoke: missing`);
    return { ...base, kind: 'message_deleted', providerMessageId: message.revoke.original_message_id };
  }
  if (!message.edit) return quarantine(scope.event, schemaReason(scope.field), `${messagePath(scope.field)}.edit: missing`);
  const edited = message.edit.message;
  const media = edited?.image ?? edited?.video ?? edited?.document ?? edited?.audio ?? edited?.sticker;
  // An edited media message changes its caption: that is the new text.
  const text = edited?.text?.body ?? media?.caption ?? undefined;
  return compact({ ...base, kind: 'message_edited' as const, providerMessageId: message.edit.original_message_id, text });
}

function status(scope: Scope): StatusEvent | QuarantineEvent {
  const parsed = StatusValueSchema.safeParse(scope.raw);
  if (!parsed.success) return quarantine(scope.event, 'schema:whatsapp.status', issuePaths(parsed.error, 'value'));
  const [s] = parsed.data.statuses;
  const rawStatus = asObject((scope.raw.statuses as unknown[])[0]) ?? {};
  const part = statusCustomerPart(rawStatus, scope.raw.contacts);
  if (part === undefined) return quarantine(scope.event, 'missing_customer_id', 'value.statuses.0: no recipient_id or recipient_user_id');
  const who: Party = recipientOfStatus(rawStatus);
  const pricing = s.pricing
    ? compact({
        category: s.pricing.category ?? undefined,
        billable: s.pricing.billable,
        pricingModel: s.pricing.pricing_model ?? undefined,
        type: s.pricing.type ?? undefined,
      })
    : undefined;
  const billingConversation = s.conversation
    ? compact({
        id: s.conversation.id,
        originType: s.conversation.origin?.type ?? undefined,
        expiresAt: toIsoTime(s.conversation.expiration_timestamp),
      })
    : undefined;
  return compact({
    kind: 'status' as const,
    channel: 'whatsapp' as const,
    conversationKey: conversationKey('whatsapp', scope.accountId, part),
    accountId: scope.accountId,
    businessAccountId: scope.entryId,
    occurredAt: toIsoTime(s.timestamp) ?? scope.fallbackTime,
    eventId: scope.event.eventId,
    status: s.status,
    providerMessageId: s.id,
    customer: customerRef(part, who, matchingContact(scope.raw.contacts, who)),
    errors: s.errors && s.errors.length > 0 ? s.errors.map(providerError) : undefined,
    pricing,
    billingConversation,
    bizOpaqueCallbackData: s.biz_opaque_callback_data ?? undefined,
  });
}

function valueErrors(scope: Scope): NotificationEvent | QuarantineEvent {
  const parsed = ErrorsValueSchema.safeParse(scope.raw);
  if (!parsed.success) return quarantine(scope.event, 'schema:whatsapp.errors', issuePaths(parsed.error, 'value'));
  // Meta may name the customer the errors concern; keep it out of details.
  const contacts = scope.raw.contacts;
  const contact = Array.isArray(contacts) && contacts.length === 1 ? asObject(contacts[0]) : undefined;
  const id = idString(contact?.wa_id) ?? idString(contact?.user_id);
  const customer = id !== undefined && contact ? customerRef(id, {}, contact) : undefined;
  const parts: NotificationParts = { details: errorDetails(parsed.data.errors), ...(customer ? { customer } : {}) };
  return notificationEvent(scope, parts, 'whatsapp.errors');
}

function notification(scope: Scope): NotificationEvent | QuarantineEvent {
  // Own keys only: a field named `__proto__` or `constructor` must not find an inherited "mapper".
  const mapper = Object.hasOwn(NOTIFICATION_MAPPERS, scope.field) ? NOTIFICATION_MAPPERS[scope.field] : undefined;
  if (!mapper) return notificationEvent(scope, { details: genericDetails(scope.raw) });
  const mapped = mapper.map(scope.raw);
  if (!mapped.ok) return quarantine(scope.event, `schema:whatsapp.${scope.field}`, issuePaths(mapped.error, 'value'));
  return notificationEvent(scope, mapped.parts);
}

function notificationEvent(scope: Scope, parts: NotificationParts, topic = `whatsapp.${scope.field}`): NotificationEvent {
  // Per-customer changes (preferences, calls, id updates, group events) sit in that
  // conversation, exactly as the splitter keyed them; everything else on the account key.
  const part = otherFieldCustomerPart(scope.field, scope.raw);
  const key = part === undefined ? accountKey('whatsapp', scope.accountId) : conversationKey('whatsapp', scope.accountId, part);
  return compact({
    kind: 'notification' as const,
    channel: 'whatsapp' as const,
    conversationKey: key,
    accountId: scope.accountId,
    businessAccountId: scope.entryId,
    occurredAt: toIsoTime(parts.time) ?? scope.fallbackTime,
    eventId: scope.event.eventId,
    topic,
    details: parts.details,
    customer: parts.customer,
  });
}

function schemaReason(field: string): string {
  return field === 'smb_message_echoes' ? 'schema:whatsapp.echo' : field === 'history' ? 'schema:whatsapp.history' : 'schema:whatsapp.message';
}

function messagePath(field: string): string {
  return field === 'smb_message_echoes' ? 'value.message_echoes.0' : field === 'history' ? 'value.history.0.threads.0.messages.0' : 'value.messages.0';
}

/** Zod issue paths and codes only: issue messages can quote the offending value. */
export function issuePaths(error: z.core.$ZodError, prefix?: string): string {
  const shown = error.issues.slice(0, 5).map((issue) => {
    const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.');
    return `${path || '(root)'}: ${issue.code}`;
  });
  const more = error.issues.length > 5 ? `; +${error.issues.length - 5} more` : '';
  return shown.join('; ') + more;
}

function quarantine(event: IngressEvent, reason: string, detail?: string): QuarantineEvent {
  return compact({
    kind: 'quarantine' as const,
    channel: 'whatsapp' as const,
    conversationKey: event.conversationKey || QUARANTINE_KEY,
    eventId: event.eventId,
    occurredAt: event.receivedAt,
    reason,
    detail,
  });
}
