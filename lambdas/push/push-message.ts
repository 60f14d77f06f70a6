import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * What a connected person receives (WebSocket) or reads (GET /agent/updates): the kind of change and
 * the ids to fetch it by. Never message text, names or anything else of the customer's; the console
 * reads what it shows through the API, which checks the caller's business again.
 */
export interface PushMessage {
  /** The event's detail type (`conversation.offered`, `message.received`, …). */
  type: string;
  conversationKey?: string;
  messageId?: string;
  /** A routing status, a message status, a presence or an SLA state, by type. */
  status?: string;
  agentId?: string;
  queueId?: string;
  /** When the change happened (ISO-8601). */
  at: string;
}

/** The events pushed to people, by the source that publishes them. */
export const PUSHED_ROUTING_TYPES = [
  DETAIL_TYPE.conversationQueued,
  DETAIL_TYPE.conversationOffered,
  DETAIL_TYPE.conversationOfferWithdrawn,
  DETAIL_TYPE.conversationAssigned,
  DETAIL_TYPE.conversationTransferred,
  DETAIL_TYPE.conversationAnnotated,
  DETAIL_TYPE.agentPresenceChanged,
  DETAIL_TYPE.slaWarning,
  DETAIL_TYPE.slaBreached,
] as const;
export const PUSHED_STATUS_TYPES = [DETAIL_TYPE.messageDelivered, DETAIL_TYPE.messageRead, DETAIL_TYPE.messageFailed] as const;
export const PUSHED_CONVERSATION_TYPES = [
  DETAIL_TYPE.conversationClosed,
  DETAIL_TYPE.conversationHandedBack,
  DETAIL_TYPE.conversationHandoffRequested,
] as const;
export const PUSHED_DETAIL_TYPES: readonly string[] = [
  ...PUSHED_ROUTING_TYPES,
  DETAIL_TYPE.messageReceived,
  ...PUSHED_STATUS_TYPES,
  ...PUSHED_CONVERSATION_TYPES,
];
/**
 * Who publishes them: the routing engine; the normalizer (customer messages); status tracking and
 * the outbound sender (receipts, failed sends); the agent and the human-agent API (handoffs,
 * hand-backs, closes). The routing engine and the agent workspace publish from `routing` or
 * `human-agent`.
 */
export const PUSHED_SOURCES: readonly string[] = [
  EVENT_SOURCE.routing,
  EVENT_SOURCE.normalizer,
  EVENT_SOURCE.status,
  EVENT_SOURCE.outbound,
  EVENT_SOURCE.agent,
  EVENT_SOURCE.humanAgent,
];

const MAX_ID_CHARS = 320;
const MAX_KEY_CHARS = 700;
const MAX_TOKEN_CHARS = 64;

/** A string of at most `max` characters without control characters; anything else is left out. */
function boundedText(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) return undefined;
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(value) ? undefined : value;
}

function isoTime(value: unknown): string | undefined {
  const text = boundedText(value, 40);
  return text !== undefined && !Number.isNaN(Date.parse(text)) ? new Date(text).toISOString() : undefined;
}

/** The fields of an event's detail a push may carry, each bounded; unknown or oversized values are dropped. */
export interface PushFields {
  conversationKey?: string;
  messageId?: string;
  status?: string;
  agentId?: string;
  queueId?: string;
  businessId?: string;
  accountId?: string;
}

export function pushFieldsOf(detailType: string, detail: Record<string, unknown>): PushFields {
  const fields: PushFields = {};
  const set = <K extends keyof PushFields>(key: K, value: string | undefined) => {
    if (value !== undefined) fields[key] = value;
  };
  set('conversationKey', boundedText(detail.conversationKey, MAX_KEY_CHARS));
  set('businessId', boundedText(detail.businessId, 100));
  set('accountId', boundedText(detail.accountId, MAX_ID_CHARS));
  set('queueId', boundedText(detail.queueId ?? detail.toQueueId, 128));
  set('agentId', boundedText(detail.agentId ?? detail.toAgentId ?? detail.assignedAgentId ?? detail.offeredAgentId, 128));
  // A customer's message is named by its provider id (the id the message item is keyed by).
  set('messageId', boundedText(detail.messageId ?? (detailType === DETAIL_TYPE.messageReceived ? detail.providerMessageId : undefined), MAX_ID_CHARS));
  set('status', boundedText(detail.status ?? detail.presence ?? detail.routingStatus ?? detail.slaState, MAX_TOKEN_CHARS));
  return fields;
}

/** The message for `detailType`; `at` is the event's own time when it names one, else the envelope's. */
export function pushMessageOf(detailType: string, detail: Record<string, unknown>, fields: PushFields, envelopeTime: string): PushMessage {
  const at =
    isoTime(detail.occurredAt) ??
    isoTime(detail.at) ??
    isoTime(detail.requestedAt) ??
    isoTime(detail.closedAt) ??
    isoTime(detail.handedBackAt) ??
    isoTime(envelopeTime) ??
    new Date().toISOString();
  return {
    type: detailType,
    ...(fields.conversationKey !== undefined ? { conversationKey: fields.conversationKey } : {}),
    ...(fields.messageId !== undefined ? { messageId: fields.messageId } : {}),
    ...(fields.status !== undefined ? { status: fields.status } : {}),
    ...(fields.agentId !== undefined ? { agentId: fields.agentId } : {}),
    ...(fields.queueId !== undefined ? { queueId: fields.queueId } : {}),
    at,
  };
}
