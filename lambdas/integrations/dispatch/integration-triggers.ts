import * as z from 'zod';
import type { IntegrationEvent } from '#lambdas/integrations/integration-model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * Which domain events become which subscribable integration events (INTEGRATION_EVENTS):
 *
 *   message.received (normalizer)                      → message.received; conversation.opened (first
 *                                                        customer message of a conversation session)
 *   message.delivered / message.read (status tracking) → message.status; message.sent (once per message)
 *   message.failed (status tracking, outbound sender)  → message.failed
 *   conversation.assigned (routing)                    → conversation.assigned
 *   conversation.closed (a person), conversation.ended (the bot)
 *                                                      → conversation.closed
 *   reply.requested (templates API, human agents)      → template.sent, when the message is a template
 *   contact.created, contact.updated (contacts)        → contact.updated
 *   contact.merged (contacts)                          → contact.merged
 *
 * The pipeline announces no "sent" status: a business message is `message.sent` when it is first
 * confirmed delivered or read. Delivered and read receipts are on the bus for every message only
 * with the stack's `statusEvents: all` (else only for people's messages): docs/integrations.md.
 */
export const DISPATCH_SOURCES = [
  EVENT_SOURCE.normalizer,
  EVENT_SOURCE.status,
  EVENT_SOURCE.outbound,
  EVENT_SOURCE.routing,
  EVENT_SOURCE.humanAgent,
  EVENT_SOURCE.agent,
  EVENT_SOURCE.contacts,
] as const;
export const DISPATCH_DETAIL_TYPES = [
  DETAIL_TYPE.messageReceived,
  DETAIL_TYPE.messageDelivered,
  DETAIL_TYPE.messageRead,
  DETAIL_TYPE.messageFailed,
  DETAIL_TYPE.conversationAssigned,
  DETAIL_TYPE.conversationClosed,
  DETAIL_TYPE.conversationEnded,
  DETAIL_TYPE.contactCreated,
  DETAIL_TYPE.contactUpdated,
  DETAIL_TYPE.contactMerged,
] as const;
/** `reply.requested` wakes the dispatcher only from the senders of templates (never the bot's own replies). */
export const TEMPLATE_REQUEST_SOURCES = [EVENT_SOURCE.templates, EVENT_SOURCE.humanAgent] as const;

/** The EventBridge envelope as the dispatch queue carries it. */
export const envelopeSchema = z.looseObject({
  id: z.string().min(1).max(200),
  source: z.string().min(1).max(256),
  'detail-type': z.string().min(1).max(256),
  time: z.string().max(64).optional(),
  detail: z.unknown(),
});
export type EventEnvelope = z.infer<typeof envelopeSchema>;

const id = z.string().min(1).max(1024);
const time = z.string().min(1).max(64);

export type Trigger =
  | { on: 'message.received'; accountId: string; conversationKey: string; providerMessageId: string; eventId: string; occurredAt: string }
  | {
      on: 'message.status';
      status: 'delivered' | 'read' | 'failed';
      accountId: string;
      conversationKey: string;
      messageId: string;
      occurredAt: string;
      errorCode?: number;
      reason?: string;
    }
  | { on: 'conversation.assigned'; businessId: string; conversationKey: string; agentId?: string; at: string }
  | { on: 'conversation.closed'; accountId: string; conversationKey: string; closedAt: string; outcome?: string }
  | { on: 'template.requested'; accountId: string; conversationKey: string; outboundId: string; time: string }
  | { on: 'contact.updated'; businessId: string; contactId: string; version?: number; at: string }
  | { on: 'contact.merged'; businessId: string; survivorId: string; absorbedId: string; mergeId: string; at: string };

const received = z.looseObject({ accountId: id, conversationKey: id, providerMessageId: id, eventId: id, occurredAt: time });
const status = z.looseObject({
  accountId: id,
  conversationKey: id,
  messageId: id,
  occurredAt: time,
  status: z.enum(['delivered', 'read', 'failed']),
  errorCode: z.number().optional(),
  reason: z.string().max(200).optional(),
});
const assigned = z.looseObject({ businessId: id, conversationKey: id, agentId: id.optional(), at: time });
const closed = z.looseObject({ accountId: id, conversationKey: id, closedAt: time, outcome: z.string().max(64).optional() });
const ended = z.looseObject({ accountId: id, conversationKey: id, endedAt: time, outcome: z.string().max(64).optional() });
const requested = z.looseObject({ accountId: id, conversationKey: id, outboundId: id });
const contactChanged = z.looseObject({ businessId: id, contactId: id, version: z.number().int().optional(), at: time });
const merged = z.looseObject({ businessId: id, survivorId: id, absorbedId: id, mergeId: id, at: time });

export type TriggerResult = { ok: true; trigger: Trigger } | { ok: false; ignored: true } | { ok: false; ignored: false; issues: string[] };

const issuesOf = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(detail)'}: ${i.code}`);

/** The trigger an event is, or why it is none (ignored: not ours; issues: ours but unreadable). */
export function readTrigger(envelope: EventEnvelope): TriggerResult {
  const parse = <T>(schema: z.ZodType<T>, build: (d: T) => Trigger): TriggerResult => {
    const parsed = schema.safeParse(envelope.detail);
    return parsed.success ? { ok: true, trigger: build(parsed.data) } : { ok: false, ignored: false, issues: issuesOf(parsed.error) };
  };
  switch (envelope['detail-type']) {
    case DETAIL_TYPE.messageReceived:
      return parse(received, (d) => ({ on: 'message.received', ...pick(d, ['accountId', 'conversationKey', 'providerMessageId', 'eventId', 'occurredAt']) }));
    case DETAIL_TYPE.messageDelivered:
    case DETAIL_TYPE.messageRead:
    case DETAIL_TYPE.messageFailed:
      return parse(status, (d) => ({
        on: 'message.status',
        status: d.status,
        accountId: d.accountId,
        conversationKey: d.conversationKey,
        messageId: d.messageId,
        occurredAt: d.occurredAt,
        ...(d.errorCode !== undefined ? { errorCode: d.errorCode } : {}),
        ...(d.reason !== undefined ? { reason: d.reason } : {}),
      }));
    case DETAIL_TYPE.conversationAssigned:
      return parse(assigned, (d) => ({
        on: 'conversation.assigned',
        businessId: d.businessId,
        conversationKey: d.conversationKey,
        at: d.at,
        ...(d.agentId ? { agentId: d.agentId } : {}),
      }));
    case DETAIL_TYPE.conversationClosed:
      return parse(closed, (d) => ({
        on: 'conversation.closed',
        accountId: d.accountId,
        conversationKey: d.conversationKey,
        closedAt: d.closedAt,
        ...(d.outcome ? { outcome: d.outcome } : {}),
      }));
    case DETAIL_TYPE.conversationEnded:
      return parse(ended, (d) => ({
        on: 'conversation.closed',
        accountId: d.accountId,
        conversationKey: d.conversationKey,
        closedAt: d.endedAt,
        ...(d.outcome ? { outcome: d.outcome } : {}),
      }));
    case DETAIL_TYPE.replyRequested:
      if (!(TEMPLATE_REQUEST_SOURCES as readonly string[]).includes(envelope.source)) return { ok: false, ignored: true };
      return parse(requested, (d) => ({
        on: 'template.requested',
        accountId: d.accountId,
        conversationKey: d.conversationKey,
        outboundId: d.outboundId,
        time: envelope.time ?? '',
      }));
    case DETAIL_TYPE.contactCreated:
    case DETAIL_TYPE.contactUpdated:
      return parse(contactChanged, (d) => ({
        on: 'contact.updated',
        businessId: d.businessId,
        contactId: d.contactId,
        at: d.at,
        ...(d.version !== undefined ? { version: d.version } : {}),
      }));
    case DETAIL_TYPE.contactMerged:
      return parse(merged, (d) => ({ on: 'contact.merged', ...pick(d, ['businessId', 'survivorId', 'absorbedId', 'mergeId', 'at']) }));
    default:
      return { ok: false, ignored: true };
  }
}

/** The integration events a trigger may become (whether each applies is decided with the table's truth). */
export function candidateEvents(trigger: Trigger): IntegrationEvent[] {
  switch (trigger.on) {
    case 'message.received':
      return ['message.received', 'conversation.opened'];
    case 'message.status':
      return trigger.status === 'failed' ? ['message.failed'] : ['message.status', 'message.sent'];
    case 'conversation.assigned':
      return ['conversation.assigned'];
    case 'conversation.closed':
      return ['conversation.closed'];
    case 'template.requested':
      return ['template.sent'];
    case 'contact.updated':
      return ['contact.updated'];
    case 'contact.merged':
      return ['contact.merged'];
  }
}

function pick<T extends Record<string, unknown>, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}
