import type { HealthOutcome } from '#lambdas/accounts/apply-account-health';
import type { AssistantUse } from '#lambdas/agent/answer-conversation';
import type { ReplyKind } from '#lambdas/agent/compose-reply';
import type { AccountHealthSignal } from '#lambdas/channels/whatsapp/account-health';
import type { ContactDeps } from '#lambdas/contacts/contact-deps';
import type { ContactWorkOutcome } from '#lambdas/contacts/handle-contact-work';
import type { ProcessResult } from '#lambdas/ingress/process-ingress-record';
import type { ResolvedCounted } from '#lambdas/pricing/count-resolved-conversation';

/**
 * Names of the metrics the operators' dashboard and alarms read. The handlers emit them through
 * Powertools (EMF log lines, dimension `service`) and the CDK constructs chart and alarm on the same
 * constants, so a rename cannot leave an alarm watching a metric nobody emits.
 *
 * Every metric a Lambda emits is named here: `METRIC` for the names the dashboard and alarms read,
 * an object per area (`AGENT_METRIC`, `MEDIA_METRIC`…) for the other counts, and a function for a
 * name composed from an outcome (`CampaignTick_released`). test/unit/architecture/metric-names.test.ts
 * fails on a string or template literal given to `addMetric` anywhere else. The names are what
 * dashboards, alarms, log queries and tests read: change one only together with them.
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

/** The names of one object of names (its string values; CAMPAIGN_METRIC also holds functions). */
type NamesOf<T> = Extract<T[keyof T], string>;

/** A metric name from this module (a composed name is a `string` from one of the functions). */
export type MetricName =
  | NamesOf<typeof METRIC>
  | NamesOf<typeof AGENT_METRIC>
  | NamesOf<typeof OUTBOUND_METRIC>
  | NamesOf<typeof STATUS_METRIC>
  | NamesOf<typeof REPLY_WATCH_METRIC>
  | NamesOf<typeof ROUTING_METRIC>
  | NamesOf<typeof SPEND_METRIC>
  | NamesOf<typeof OPERATOR_METRIC>
  | NamesOf<typeof AGENT_PUSH_METRIC>
  | NamesOf<typeof CONTACTS_METRIC>
  | NamesOf<typeof CONVERSATION_END_METRIC>
  | NamesOf<typeof TEMPLATE_EVENT_METRIC>
  | NamesOf<typeof MEDIA_METRIC>
  | NamesOf<typeof INTEGRATION_METRIC>
  | NamesOf<typeof CAMPAIGN_METRIC>
  | NamesOf<typeof INSTAGRAM_TOKEN_METRIC>;

export const METRIC_CHANNELS = ['whatsapp', 'instagram', 'messenger'] as const;
export type MetricChannel = (typeof METRIC_CHANNELS)[number];

/** Per-channel counts: the channel is part of the name, as the `service` dimension is shared by a batch. */
export const CHANNEL_METRIC = {
  /** Customer messages stored for the first time (normalizer). */
  inbound: (channel: MetricChannel) => `InboundMessages_${channel}`,
  outboundSent: (channel: MetricChannel) => `OutboundSent_${channel}`,
  outboundFailed: (channel: MetricChannel) => `OutboundFailed_${channel}`,
} as const;

/*
 * The counts each function keeps beside the dashboard's, one object per area: a bundle carries the
 * names of its own area only (an object's properties are not tree-shaken, so one object of every
 * name would weigh on the webhook's size budget).
 */

/** The agent's other counts (service `agent`). */
export const AGENT_METRIC = {
  /** Customer messages one reply answered (a burst answered together). */
  messagesAnswered: 'AgentMessagesAnswered',
  /** A reply requested earlier but never published, published again. */
  replyResumed: 'AgentReplyResumed',
  /** A person is answering the conversation: the bot stays quiet. */
  quietForPerson: 'AgentQuietForPerson',
  /** The business has no bot settings: the conversation went to its people. */
  noBotConfigured: 'AgentNoBotConfigured',
  /** The customer may still be typing: the record comes back after the quiet period. */
  waitedForQuiet: 'AgentWaitedForQuiet',
  windowClosed: 'AgentWindowClosed',
  skipped: 'AgentSkipped',
  /** The business's Meta budget standing could not be read: answered as usual. */
  budgetStandingUnread: 'AgentBudgetStandingUnread',
  /** A thanks or goodbye left unanswered because the business is saving messages. */
  messageSaved: 'AgentMessageSaved',
  repliedSavingMessages: 'AgentRepliedSavingMessages',
  optOutRecorded: 'AgentOptOutRecorded',
  eventInvalid: 'AgentEventInvalid',
} as const;

/** The outbound sender's other counts (conversational and campaign senders). */
export const OUTBOUND_METRIC = {
  /** A reply request whose message is not in the table. */
  messageMissing: 'OutboundMessageMissing',
  /** A reply already sent or failed: the request was a repeat. */
  alreadyDone: 'OutboundAlreadyDone',
  /** A send claimed earlier whose outcome was never recorded: not sent again. */
  outcomeUnknown: 'OutboundOutcomeUnknown',
  /** A send refused before calling Meta. */
  refused: 'OutboundRefused',
  eventInvalid: 'OutboundEventInvalid',
} as const;

/** Status tracking's other counts. */
export const STATUS_METRIC = {
  ignored: 'StatusIgnored',
  /** Receipts for a message still unknown after every retry: given up. */
  forUnknownMessage: 'StatusForUnknownMessage',
  eventInvalid: 'StatusEventInvalid',
} as const;

/** The reply watch's other counts. */
export const REPLY_WATCH_METRIC = {
  /** A reply claimed recently: looked at again later. */
  claimInProgress: 'ReplyWatchClaimInProgress',
  messageMissing: 'ReplyWatchMessageMissing',
  eventInvalid: 'ReplyWatchEventInvalid',
} as const;

/** Routing's other counts: the routing consumer's (its function's service) and the admin API's. */
export const ROUTING_METRIC = {
  unknownAccount: 'RoutingUnknownAccount',
  messageInvalid: 'RoutingMessageInvalid',
  /** A routing configuration change saved but its event not published (admin API). */
  changedNotPublished: 'RoutingChangedNotPublished',
} as const;

/** Spend's other counts (the spend outcomes consumer). */
export const SPEND_METRIC = {
  outcomeEventInvalid: 'SpendOutcomeEventInvalid',
} as const;

/** Operator requests (every operator API function) and the token trigger. */
export const OPERATOR_METRIC = {
  /** A request answered 401 or 403. */
  requestRefused: 'OperatorRequestRefused',
  /** The action happened but its audit record could not be written. */
  auditWriteFailed: 'AuditWriteFailed',
  /** Roles left out of a token until the person sets up TOTP. */
  rolesWithheld: 'OperatorRolesWithheld',
  tokenWithoutBusiness: 'OperatorTokenWithoutBusiness',
} as const;

/** The agent console's push consumer (WebSocket). */
export const AGENT_PUSH_METRIC = {
  ignored: 'AgentPushIgnored',
  sent: 'AgentPushSent',
  goneConnections: 'AgentPushGoneConnections',
  failed: 'AgentPushFailed',
} as const;

/** Contacts: the contacts consumer and the admin API. */
export const CONTACTS_METRIC = {
  created: 'ContactCreated',
  eventInvalid: 'ContactsEventInvalid',
  /** A contact change saved but its event not published (admin API). */
  changeNotPublished: 'ContactChangeNotPublished',
} as const;

/** The bot's end-of-conversation sweep. */
export const CONVERSATION_END_METRIC = {
  sweepLooked: 'ConversationEndSweepLooked',
  sweepFailed: 'ConversationEndSweepFailed',
} as const;

/** Template webhooks. */
export const TEMPLATE_EVENT_METRIC = {
  invalid: 'TemplateEventInvalid',
  ignored: 'TemplateEventIgnored',
  stale: 'TemplateEventStale',
  createdFromWebhook: 'TemplateCreatedFromWebhook',
  updated: 'TemplateUpdated',
} as const;

/** The media download. */
export const MEDIA_METRIC = {
  /** A download that failed for now: the record comes back after its backoff. */
  downloadRetried: 'MediaDownloadRetried',
  skipped: 'MediaSkipped',
  alreadyStored: 'MediaAlreadyStored',
  stored: 'MediaStored',
  bytesStored: 'MediaBytesStored',
  refused: 'MediaRefused',
  downloadFailed: 'MediaDownloadFailed',
  eventInvalid: 'MediaEventInvalid',
} as const;

/** Integrations: the dispatcher and the dead-letter consumer. */
export const INTEGRATION_METRIC = {
  deliveriesRequested: 'IntegrationDeliveriesRequested',
  deliveriesRepeated: 'IntegrationDeliveriesRepeated',
  /** A mapper asked for what its destinations cannot carry: a fault to fix, never retried. */
  requestsDropped: 'IntegrationRequestsDropped',
  headersDropped: 'IntegrationHeadersDropped',
  /** An event whose account and conversation key name two businesses: never delivered. */
  triggerOtherBusiness: 'IntegrationTriggerOtherBusiness',
  triggerInvalid: 'IntegrationTriggerInvalid',
  deliveriesDeadLettered: 'IntegrationDeliveriesDeadLettered',
  deliveriesRedriven: 'IntegrationDeliveriesRedriven',
  deadLetterInvalid: 'IntegrationDeadLetterInvalid',
} as const;

/** Agent replies by kind (`AgentReply_fallback` is the agent having no answer). */
export const agentReplyMetric = (kind: ReplyKind): string => `AgentReply_${kind}`;

/** What the assistant did for a reply; a failure has its own name, the one its alarm reads. */
export const agentAssistantMetric = (use: AssistantUse): string => (use === 'failed' ? METRIC.agentAssistantFellBack : `AgentAssistant_${use}`);

/** Each normalized event by kind and outcome (`Normalized_message_stored`). */
export const normalizedMetric = (kind: ProcessResult['kind'], outcome: ProcessResult['outcome']): string => `Normalized_${kind}_${outcome}`;

/** Account health notifications by outcome (`AccountHealth_applied`). */
export const accountHealthMetric = (outcome: HealthOutcome['outcome']): string => `AccountHealth_${outcome}`;

/** Contacts work by kind and outcome (`Contacts_customer_message_created`). */
export const contactsWorkMetric = (work: ContactWorkOutcome['work'], outcome: ContactWorkOutcome['outcome']): string => `Contacts_${work}_${outcome}`;

/** A CRM look-up that gave nothing in time (`ContactLookup_timeout`, `ContactLookup_error`). */
export const contactLookupMetric = (reason: Parameters<NonNullable<ContactDeps['onLookupFailed']>>[0]): string => `ContactLookup_${reason}`;

/** Conversation ends seen by spend (`ResolvedConversation_counted`). */
export const resolvedConversationMetric = (outcome: ResolvedCounted['outcome']): string => `ResolvedConversation_${outcome}`;

/** Conversations the bot's sweep ended, by outcome (`ConversationEnded_ended`). */
export const conversationEndedMetric = (outcome: string): string => `ConversationEnded_${outcome}`;

/** Every operator request by API, method and status (`AdminApi_POST_403`). */
export const operatorRequestMetric = (api: string, method: string, status: number): string => `${api}_${method}_${status}`;

/** The API part of the operator request metrics, one per API function. */
export const OPERATOR_API = {
  admin: 'AdminApi',
  humanAgent: 'HumanAgent',
  onboarding: 'Onboarding',
  templates: 'TemplatesApi',
  campaigns: 'CampaignsApi',
  integrations: 'IntegrationsApi',
  spend: 'SpendApi',
} as const;

/**
 * Campaign counts by what happened (the outcome strings are the campaign use cases' own:
 * lambdas/campaigns/campaign-watchdog.ts, campaign-release.ts, campaign-list-build.ts,
 * campaign-counts-replies.ts, campaign-send.ts).
 */
export const CAMPAIGN_METRIC = {
  /** Messages a tick released to the campaign sender. */
  released: 'CampaignReleased',
  /** Messages the release check found unsent and asked for again / gave up on. */
  sendsAskedAgain: 'CampaignSendsAskedAgain',
  sendsGivenUp: 'CampaignSendsGivenUp',
  replyEventInvalid: 'CampaignReplyEventInvalid',
  checkInvalid: 'CampaignCheckInvalid',
  buildInvalid: 'CampaignBuildInvalid',
  tickInvalid: 'CampaignTickInvalid',
  /** A `campaign.changed` event and what it kicked (`CampaignKick_kicked`). */
  kick: (outcome: string): string => `CampaignKick_${outcome}`,
  /** A tick of a release loop (`CampaignTick_released`). */
  tick: (outcome: string): string => `CampaignTick_${outcome}`,
  /** A step of a list build (`CampaignBuild_chunk_written`). */
  build: (outcome: string): string => `CampaignBuild_${outcome}`,
  /** A reply, opt-out, send or failure counted on its campaign (`CampaignCounted_sent`). */
  counted: (what: string): string => `CampaignCounted_${what}`,
} as const;

/**
 * Metrics of the Instagram token refresh (service dimension `instagram-token-refresh`), shared by
 * its handler and the alarm on them (lib/constructs/instagram-token-refresh.ts).
 */
export const INSTAGRAM_TOKEN_REFRESH_SERVICE = 'instagram-token-refresh';

export const INSTAGRAM_TOKEN_METRIC = {
  /** Tokens renewed by the run. */
  refreshed: 'InstagramTokensRefreshed',
  /** Refreshes Meta or the network failed for now; tried again the next day. */
  retryLater: 'InstagramTokenRefreshRetried',
  /** Accounts whose token could not be renewed and now need the business to log in again: the alarm's metric. */
  needsReauthorisation: 'InstagramTokenNeedsReauthorisation',
} as const;

/** The channel of a metric, or undefined for `unknown` (quarantined) and anything else. */
export function metricChannel(value: unknown): MetricChannel | undefined {
  return METRIC_CHANNELS.find((channel) => channel === value);
}

/** The metric each account health signal of the normalizer is counted in (METRIC's names, written out so that reading this does not keep METRIC in a bundle). */
export const ACCOUNT_HEALTH_METRIC = {
  quality_downgraded: 'AccountQualityDowngraded',
  quality_flagged: 'AccountQualityFlagged',
  restricted: 'AccountRestricted',
  disabled: 'AccountDisabled',
} as const satisfies Readonly<Record<AccountHealthSignal, NamesOf<typeof METRIC>>>;

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
