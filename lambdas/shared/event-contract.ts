/**
 * Names shared by the Lambdas and the CDK stack, so rules and publishers cannot drift apart.
 * Sources are reverse-DNS; detail types are `<noun>.<past-tense verb>`.
 */
export const EVENT_SOURCE = {
  normalizer: 'io.omnichannel.normalizer',
  agent: 'io.omnichannel.agent',
  outbound: 'io.omnichannel.outbound',
  status: 'io.omnichannel.status',
  humanAgent: 'io.omnichannel.human-agent',
  /** The templates API (template sends to customers). */
  templates: 'io.omnichannel.templates',
  /** The reply watch, asking again for a reply still unsent a quarter of an hour after its request. */
  replyWatch: 'io.omnichannel.reply-watch',
  /** The operator APIs: the audit trail of what people and businesses' backends did. */
  operators: 'io.omnichannel.operators',
  /** The routing engine: queues, offers, assignment, SLA timers. */
  routing: 'io.omnichannel.routing',
  /** The contacts module: one customer across channels. */
  contacts: 'io.omnichannel.contacts',
  /** Outbound integrations (CRMs, business webhooks): delivery requests for API destinations. */
  integrations: 'io.omnichannel.integrations',
  /** Campaigns: template broadcasts released at each number's pace (lambdas/campaigns/). */
  campaigns: 'io.omnichannel.campaigns',
  /** Meta spend: monthly budgets per business (lambdas/pricing/). */
  spend: 'io.omnichannel.spend',
} as const;

export const DETAIL_TYPE = {
  /** A customer wrote to the business (the agent's wake-up call). */
  messageReceived: 'message.received',
  /** The business sent a message seen through an echo or the WhatsApp Business App. */
  messageEchoed: 'message.echoed',
  /** A message was imported from chat history (coexistence onboarding). */
  messageImported: 'message.imported',
  /** A message was edited or deleted by its author. */
  messageChanged: 'message.changed',
  /** Meta reported a delivery status (sent, delivered, read, played, failed) for a message. */
  statusReceived: 'message.status_received',
  /** An account, template, number or other non-message change arrived. */
  notificationReceived: 'notification.received',
  /** A signed event could not be understood and was stored in quarantine. */
  eventQuarantined: 'event.quarantined',
  /** Someone (agent, human, campaign) asked for a message to be sent to a customer. */
  replyRequested: 'reply.requested',
  /** A business message's status moved forward to delivered. */
  messageDelivered: 'message.delivered',
  /** A business message's status moved forward to read. */
  messageRead: 'message.read',
  /** A business message failed: Meta reported it, or the Graph API refused the send. */
  messageFailed: 'message.failed',
  /** A conversation went from the bot to the human queue (customer request, menu, assistant, or a person writing). */
  conversationHandoffRequested: 'conversation.handoff_requested',
  /** A human agent gave a conversation back to the bot. */
  conversationHandedBack: 'conversation.handed_back',
  /** A human agent closed a conversation (a CSAT question follows). */
  conversationClosed: 'conversation.closed',
  /** A customer withdrew consent to promotional messages (opt-out keyword). */
  consentWithdrawn: 'consent.withdrawn',
  /** An operator (person or business backend) called an operator API: who, role, business, route, target, outcome. */
  operatorAction: 'operator.action',
  /** A handed-off conversation entered a queue (or re-entered it after a decline, expiry or offline agent). */
  conversationQueued: 'conversation.queued',
  /** A queued conversation was offered to one agent, who may accept or decline. */
  conversationOffered: 'conversation.offered',
  /** An offer was declined, expired, or withdrawn because the agent went offline. */
  conversationOfferWithdrawn: 'conversation.offer_withdrawn',
  /** An agent accepted an offer, or a supervisor assigned the conversation. */
  conversationAssigned: 'conversation.assigned',
  /** A conversation moved to another queue or agent (agent, supervisor or overflow). */
  conversationTransferred: 'conversation.transferred',
  /** A person added an internal note or changed tags (never sent to the customer). */
  conversationAnnotated: 'conversation.annotated',
  /** An agent went online, away or offline. */
  agentPresenceChanged: 'agent.presence_changed',
  /** A conversation reached the warning share of an SLA target. */
  slaWarning: 'sla.warning',
  /** A conversation passed an SLA target. */
  slaBreached: 'sla.breached',
  /** An admin changed agents, queues, rules or macros: the engine looks at waiting conversations again. */
  routingChanged: 'routing.changed',
  /** A customer gave consent to promotional messages (opt-in phrase, operator, import). */
  consentGiven: 'consent.given',
  /** A contact was created on first sight of a customer (ids only). */
  contactCreated: 'contact.created',
  /** A contact's name, tags, attributes, consent, CRM ids or first touch changed (ids and changed field names only). */
  contactUpdated: 'contact.updated',
  /** Two contacts became one (survivor and absorbed ids, merge id). */
  contactMerged: 'contact.merged',
  /** A merge was undone. */
  contactUnmerged: 'contact.unmerged',
  /** A bot conversation ended without a person (resolved by the bot, or the customer went quiet). */
  conversationEnded: 'conversation.ended',
  /** A delivery to an integration's API destination (see integrations/integration-model.ts). */
  integrationDeliveryRequested: 'integration.delivery_requested',
  /** A campaign started, paused (by a person or by itself, with the reason), resumed, completed or was cancelled. */
  campaignChanged: 'campaign.changed',
  /** A business's Meta spend this month crossed 80% or 100% of its budget. */
  budgetThresholdCrossed: 'budget.threshold_crossed',
} as const;

/** Environment variable names read by the Lambdas and set by the CDK stack. */
export const ENV = {
  ingressQueueUrl: 'INGRESS_QUEUE_URL',
  claimCheckBucket: 'CLAIM_CHECK_BUCKET',
  /** Secrets Manager id of a JSON secret `{ "appSecret": "...", "verifyToken": "..." }`. */
  metaAppSecretId: 'META_APP_SECRET_ID',
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  /** Secrets Manager id of a JSON secret `{ "<accountId>": "<access token>", "default": "..." }`. */
  metaAccessTokensSecretId: 'META_ACCESS_TOKENS_SECRET_ID',
  /** Optional Secrets Manager id of a JSON secret `{ "apiKey": "..." }`. */
  anthropicSecretId: 'ANTHROPIC_SECRET_ID',
  graphApiBaseUrl: 'GRAPH_API_BASE_URL',
  /** URL of an event consumer's own queue, to bring a failed or deferred record back after its backoff. */
  queueUrl: 'QUEUE_URL',
  graphApiVersion: 'GRAPH_API_VERSION',
  stage: 'STAGE',
  /** `failed` (default) or `all`: which status changes of business messages are published (status/announced-statuses.ts). */
  statusEvents: 'STATUS_EVENTS',
  /** Days a written item is kept before its TTL removes it (default 400; the stack sets none). */
  retentionDays: 'RETENTION_DAYS',
} as const;
