import * as z from 'zod';

/**
 * Outbound integrations: per business, subscriptions of domain events delivered to a CRM or the
 * business's own HTTPS webhook through **EventBridge API destinations and connections** (the
 * credentials kept by EventBridge in Secrets Manager, retries, a dead-letter queue and a rate limit
 * per destination).
 *
 *   domain event on the bus ──▶ integration-dispatch (one consumer, SQS + DLQ)
 *        reads the business's integrations, maps the event with the CRM's mapper
 *        (mappers/<kind>.ts) into delivery requests, each with an idempotency key
 *   ──▶ `integration.delivery_requested` on the bus (source io.omnichannel.integrations)
 *   ──▶ per-integration rule (detail.integrationId) ──▶ API destination (+ connection)
 *        retries (RetryPolicy), DLQ (the integrations DLQ; a consumer records dead-lettered deliveries)
 *
 * Items (single table):
 *   INTEG#<business>   CONF#<integration id>           Integration         the config below + the AWS resources created for it
 *   INTEG#<business>   DLV#<integration id>#<at>#<delivery id>   IntegrationDelivery  the last deliveries (requested / dead_lettered / test), TTL 30 days
 *   INTEG#<business>   LOOKUP#<integration id>#<identity hash>   IntegrationLookup    lookup results, TTL
 *   (integration-keys.ts has the details.)
 */

export const INTEGRATION_KINDS = ['webhook', 'hubspot', 'salesforce', 'zendesk'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/** The events a business can subscribe to (the go-live checklist's list). */
export const INTEGRATION_EVENTS = [
  'message.received',
  'message.sent',
  'message.status',
  'message.failed',
  'conversation.opened',
  'conversation.assigned',
  'conversation.closed',
  'template.sent',
  'contact.updated',
  'contact.merged',
] as const;
export type IntegrationEvent = (typeof INTEGRATION_EVENTS)[number];

/** How EventBridge authenticates to the destination (a connection's AuthorizationType). */
export const integrationAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('api_key'), headerName: z.string().min(1).max(256), apiKey: z.string().min(1).max(2048) }),
  z.strictObject({ type: z.literal('basic'), username: z.string().min(1).max(512), password: z.string().min(1).max(512) }),
  z.strictObject({
    type: z.literal('oauth_client_credentials'),
    tokenUrl: z.string().url().max(2048),
    clientId: z.string().min(1).max(512),
    clientSecret: z.string().min(1).max(2048),
    scope: z.string().max(1024).optional(),
  }),
]);
export type IntegrationAuth = z.infer<typeof integrationAuthSchema>;

/** What an admin saves (credentials go to EventBridge's connection and are never read back). */
export const integrationInputSchema = z.strictObject({
  kind: z.enum(INTEGRATION_KINDS),
  name: z.string().trim().min(1).max(80),
  /** HTTPS base URL (loopback http allowed only in the local cloud): the webhook URL, or the CRM instance (HubSpot api.hubapi.com, Salesforce https://<domain>.my.salesforce.com, Zendesk https://<sub>.zendesk.com). */
  baseUrl: z.string().url().max(2048),
  auth: integrationAuthSchema,
  /** Each event once (a repeat is dropped); bounded, since the list is stored on the config item. */
  events: z
    .array(z.enum(INTEGRATION_EVENTS))
    .min(1)
    .max(INTEGRATION_EVENTS.length * 4)
    .transform((events) => [...new Set(events)]),
  /** Deliveries per second EventBridge may make to this destination (1–300). */
  rateLimitPerSecond: z.number().int().min(1).max(300).default(10),
  /** Look the contact up in this CRM on a new conversation (not for `webhook`, which may name `lookupUrl`). */
  lookup: z.boolean().default(false),
  /** For `webhook`: the business's own lookup endpoint (POST, HMAC-signed like deliveries). */
  lookupUrl: z.string().url().max(2048).optional(),
  enabled: z.boolean().default(true),
});
export type IntegrationInput = z.infer<typeof integrationInputSchema>;

export interface Integration extends Omit<IntegrationInput, 'auth'> {
  businessId: string;
  integrationId: string;
  /** The auth type only; the secrets live in the connection (and, for lookups, a per-integration secret). */
  authType: IntegrationAuth['type'];
  resources?: { connectionArn?: string; apiDestinationArns?: Record<string, string>; ruleName?: string; signingSecretId?: string };
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** One HTTP request a mapper asks for; EventBridge makes it through the integration's API destination. */
export interface DeliveryRequest {
  method: 'POST' | 'PUT' | 'PATCH';
  /** Path below the integration's base URL (e.g. `/crm/v3/objects/contacts/batch/upsert`). */
  path: string;
  body: unknown;
  /** Same event + integration + step → same key, so a retry never creates a second record. */
  idempotencyKey: string;
}

/** `integration.delivery_requested` detail (source `io.omnichannel.integrations`). */
export interface DeliveryRequestedDetail {
  v: 1;
  businessId: string;
  integrationId: string;
  deliveryId: string;
  eventType: IntegrationEvent;
  idempotencyKey: string;
  request: DeliveryRequest;
}

export type DeliveryStatus = 'requested' | 'dead_lettered' | 'test_ok' | 'test_failed';

/**
 * An HTTP endpoint of one integration kind: one EventBridge API destination each (an API
 * destination has one method and one endpoint; `*` in the path template is filled from the
 * request's `pathParams` through the target's PathParameterValues). Each destination of an
 * integration has its own rule on the bus (`detail.integrationId` + `detail.request.destination`).
 */
export interface DestinationSpec {
  /** Stable key, e.g. `contacts_upsert`; part of the AWS resource names. */
  key: string;
  method: DeliveryRequest['method'];
  /** Path below the base URL; `*` marks a path parameter (e.g. `/services/data/v62.0/sobjects/Case/Omnichannel_Conversation_Id__c/*`). */
  pathTemplate: string;
  /**
   * A create that nothing EventBridge can send makes idempotent (Zendesk's ticket create): its
   * target makes one attempt, and a failure goes straight to the dead-letter queue rather than
   * being retried into a second record.
   */
  singleAttempt?: boolean;
}

/** What a mapper sees of a conversation (read from the table by the dispatcher). */
export interface ConversationSnapshot {
  conversationKey: string;
  channel: 'whatsapp' | 'instagram' | 'messenger';
  accountId: string;
  customerId: string;
  state?: string;
  openedAt?: string;
  closedAt?: string;
  outcome?: string;
  reason?: string;
  tags?: string[];
  assignedAgentId?: string;
  queueId?: string;
  /** The handoff summary or the bot's last answer, bounded. */
  summary?: string;
  csatScore?: number;
}

/** What a mapper sees of one message. Text is included only for integrations of the business that chose `message.*` events. */
export interface MessageSnapshot {
  providerMessageId: string;
  direction: 'inbound' | 'outbound';
  type?: string;
  text?: string;
  at: string;
  status?: string;
  errorCode?: string;
  templateName?: string;
  templateCategory?: string;
}

export interface MapperInput {
  integration: Integration;
  eventType: IntegrationEvent;
  /** The domain event's id (EventBridge `id`) or the normalizer's event id: the root of idempotency keys. */
  eventId: string;
  occurredAt: string;
  contact?: import('#lambdas/contacts/contact-model').Contact;
  conversation?: ConversationSnapshot;
  message?: MessageSnapshot;
}

/** A CRM's (or the webhook's) mapping: pure, deterministic (same input → same requests and keys). */
export interface IntegrationMapper {
  kind: IntegrationKind;
  destinations: DestinationSpec[];
  /**
   * `headers` are never sent: EventBridge sends header values as written on the rule's target, not
   * from the event, so nothing per delivery can travel in one (delivery-parameters.ts). The
   * dispatcher drops and counts them (`IntegrationHeadersDropped`).
   */
  map(input: MapperInput): Array<DeliveryRequest & { destination: string; pathParams?: string[]; headers?: Record<string, string> }>;
}
