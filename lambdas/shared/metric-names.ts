import type { ReplyKind } from '#lambdas/agent/compose-reply';
import type { AccountHealthSignal } from '#lambdas/channels/whatsapp/account-health';

/**
 * Names of the metrics the operators' dashboard and alarms read. The handlers emit them through
 * Powertools (EMF log lines, dimension `service`) and the CDK constructs chart and alarm on the same
 * constants, so a rename cannot leave an alarm watching a metric nobody emits.
 */
export const METRIC_NAMESPACE = 'OmnichannelSupport';

/** The Powertools service name of each function: the `service` dimension of its metrics. */
export const METRIC_SERVICE = {
  webhook: 'webhook',
  normalizer: 'normalizer',
  agent: 'agent',
  outboundSend: 'outbound-send',
  statusTracking: 'status-tracking',
  replyWatch: 'reply-watch',
  /** Routing metrics, whichever function's engine call caused them (routing consumer or human-agent API). */
  routing: 'routing',
  /** Meta spend: budget thresholds crossed, whichever function priced the message (normalizer or status tracking). */
  spend: 'spend',
} as const;

export type MetricService = (typeof METRIC_SERVICE)[keyof typeof METRIC_SERVICE];

export const METRIC = {
  // webhook
  webhookSignatureRejected: 'WebhookSignatureRejected',
  ingressEventsEnqueued: 'IngressEventsEnqueued',
  ingressEventsQuarantined: 'IngressEventsQuarantined',
  // normalizer
  eventsQuarantined: 'EventsQuarantined',
  /** Receipts that moved a message's status forward / only stamped a time (normalizer and status tracking). */
  statusAdvanced: 'StatusAdvanced',
  statusRecordedLate: 'StatusRecordedLate',
  /** Receipts for a message not known yet, handed from the normalizer to status tracking to retry. */
  statusHandedToTracking: 'StatusHandedToTracking',
  /** Events for a business account nobody registered (or one offboarded), quarantined as `unknown_account`. */
  eventsFromUnknownAccount: 'EventsFromUnknownAccount',
  /** Customer messages to an account still onboarding: kept, not answered. */
  inboundHeldForOnboarding: 'InboundHeldForOnboardingAccount',
  /** A WhatsApp number's quality rating went down (`phone_number_quality_update` DOWNGRADE). */
  accountQualityDowngraded: 'AccountQualityDowngraded',
  /** A WhatsApp number was flagged for low quality and may be downgraded (`FLAGGED`). */
  accountQualityFlagged: 'AccountQualityFlagged',
  /** `account_update` ACCOUNT_RESTRICTION or ACCOUNT_VIOLATION: some messaging is blocked. */
  accountRestricted: 'AccountRestricted',
  /** `account_update` DISABLED_UPDATE that disables (or schedules disabling) the account. */
  accountDisabled: 'AccountDisabled',
  // agent
  agentReplied: 'AgentReplied',
  agentHandoffRequested: 'AgentHandoffRequested',
  agentAssistantFellBack: 'AgentAssistantFailedFellBackToFlows',
  /** Milliseconds from the customer's message (Meta's timestamp) to the reply being requested. */
  replyRequestedLatency: 'ReplyRequestedLatency',
  // outbound-send
  outboundSent: 'OutboundSent',
  outboundFailed: 'OutboundFailed',
  outboundDeferred: 'OutboundDeferred',
  graphRetryableError: 'GraphRetryableError',
  /** A reply could not be sent: its account's token is not configured (retried until it is). */
  outboundAccessTokenMissing: 'OutboundAccessTokenMissing',
  /** Graph API error 190: the access token is invalid or expired. */
  graphTokenInvalid: 'GraphTokenInvalid',
  /** Milliseconds from the reply being requested to Meta accepting it. */
  replySendLatency: 'ReplySendLatency',
  // reply-watch
  /** A reply still pending a quarter of an hour after its request: asked for again. */
  replyRequestedAgain: 'ReplyRequestedAgain',
  /** A reply still pending after every round of the watch: given up, a person has to look. */
  replyNeverSent: 'ReplyNeverSent',
  /** A reply left `sending`: the send was claimed, its outcome never recorded; not sent again. */
  replyOutcomeUnknown: 'ReplyOutcomeUnknown',
  /** A WhatsApp reply claimed long ago that Meta never confirmed: back to pending, asked for again. */
  replyResentAfterUnknownOutcome: 'ReplyResentAfterUnknownOutcome',
  // routing (service `routing`; counted from the events the engine publishes)
  conversationsQueued: 'ConversationsQueued',
  conversationsOffered: 'ConversationsOffered',
  conversationsAssigned: 'ConversationsAssigned',
  offersWithdrawn: 'OffersWithdrawn',
  conversationsTransferred: 'ConversationsTransferred',
  slaWarnings: 'SlaWarnings',
  slaBreaches: 'SlaBreaches',
  /** Gauges (statistic Maximum): conversations waiting in one queue, the longest wait (s), agents online and busy in one business. */
  queueBacklog: 'QueueBacklog',
  oldestWaitingSeconds: 'OldestWaitingSeconds',
  agentsOnline: 'AgentsOnline',
  agentsBusy: 'AgentsBusy',
  /** Routing timers that arrived before their time and were sent on again (chained 15-minute delays). */
  routingTimersChained: 'RoutingTimersChained',
  routingTimersFired: 'RoutingTimersFired',
  // spend (service `spend`, dimension `threshold` 80 | 100; lambdas/pricing/)
  /** A business's Meta spend this month reached 80% or 100% of its budget (once per threshold, month and budget). */
  metaBudgetThresholdCrossed: 'MetaBudgetThresholdCrossed',
  /** Meta's charge of each priced WhatsApp message, in millionths of USD (normalizer and status tracking, their own service). */
  metaChargeMicros: 'MetaChargeMicros',
} as const;

/** The log message of the routing consumer's per-queue gauge lines (the dashboard's backlog-per-queue table queries it). */
export const ROUTING_QUEUE_GAUGE_LOG = 'routing queue gauge';

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export const METRIC_CHANNELS = ['whatsapp', 'instagram', 'messenger'] as const;
export type MetricChannel = (typeof METRIC_CHANNELS)[number];

/** Per-channel counts: the channel is part of the name, as the `service` dimension is shared by a batch. */
export const CHANNEL_METRIC = {
  /** Customer messages stored for the first time (normalizer). */
  inbound: (channel: MetricChannel) => `InboundMessages_${channel}`,
  outboundSent: (channel: MetricChannel) => `OutboundSent_${channel}`,
  outboundFailed: (channel: MetricChannel) => `OutboundFailed_${channel}`,
} as const;

/** Agent replies by kind (`AgentReply_fallback` is the agent having no answer). */
export const agentReplyMetric = (kind: ReplyKind): string => `AgentReply_${kind}`;

/** The channel of a metric, or undefined for `unknown` (quarantined) and anything else. */
export function metricChannel(value: unknown): MetricChannel | undefined {
  return METRIC_CHANNELS.find((channel) => channel === value);
}

/** The metric each account health signal of the normalizer is counted in. */
export const ACCOUNT_HEALTH_METRIC: Readonly<Record<AccountHealthSignal, MetricName>> = {
  quality_downgraded: METRIC.accountQualityDowngraded,
  quality_flagged: METRIC.accountQualityFlagged,
  restricted: METRIC.accountRestricted,
  disabled: METRIC.accountDisabled,
};

/** Milliseconds from an ISO time to `now`; undefined when the time is missing, unreadable or in the future. */
export function msSince(iso: unknown, now: number = Date.now()): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const at = Date.parse(iso);
  return Number.isFinite(at) && at <= now ? now - at : undefined;
}

/** A field of an event detail the handler has not validated (undefined when it is not an object). */
export function fieldOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The `time` of the EventBridge envelope an event queue record carries (when the event was put). */
export function envelopeTime(body: string): unknown {
  try {
    return (JSON.parse(body) as { time?: unknown } | null)?.time;
  } catch {
    return undefined;
  }
}
