import type { Contact } from '#lambdas/contacts/contact-model';
import type { ConversationSnapshot, DestinationSpec, IntegrationMapper, MapperInput, MessageSnapshot } from '#lambdas/integrations/integration-model';
import { idempotencyKeyOf } from '#lambdas/integrations/idempotency-key';

/**
 * The business's own HTTPS endpoint: every subscribed event is POSTed to the base URL as one JSON
 * object (docs/integrations.md § The webhook body), signed by the dispatcher with the
 * integration's signing secret (`?signature=sha256=<hex>`, Meta's scheme, in the query string
 * because EventBridge cannot send a header value per delivery: delivery-parameters.ts).
 *
 *   {
 *     "v": 1,
 *     "id": "<event id: the same on every retry of this event>",
 *     "idempotencyKey": "<the request's key, also the `idempotency_key` query parameter>",
 *     "type": "conversation.closed",
 *     "occurredAt": "2026-12-07T15:51:50.000Z",
 *     "businessId": "acme",
 *     "integrationId": "i0a1b2c3d4e5",
 *     "contact":      { ... } (when known),
 *     "conversation": { ... } (conversation and message events),
 *     "message":      { ... } (message events, template.sent)
 *   }
 *
 * Keys whose value is unknown are left out, never sent as null.
 */
export const WEBHOOK_EVENT: DestinationSpec = { key: 'event', method: 'POST', pathTemplate: '' };

export const WEBHOOK_BODY_VERSION = 1;

export interface WebhookBody {
  v: typeof WEBHOOK_BODY_VERSION;
  id: string;
  /** Stable for the event and the integration; the same value as the `idempotency_key` query parameter. */
  idempotencyKey: string;
  type: string;
  occurredAt: string;
  businessId: string;
  integrationId: string;
  contact?: WebhookContact;
  conversation?: ConversationSnapshot;
  message?: MessageSnapshot;
}

export interface WebhookContact {
  contactId: string;
  name?: string;
  phoneE164?: string;
  language?: string;
  tags: string[];
  attributes: Contact['attributes'];
  crmIds: Contact['crmIds'];
  identities: Array<{ kind: string; value: string; accountId?: string }>;
  consent: Partial<Record<string, { status: string; at: string }>>;
  firstTouch?: { channel: string; source: string; at: string; adId?: string; ref?: string; utm?: Record<string, string> };
  mergedInto?: string;
  updatedAt: string;
}

export function webhookContact(contact: Contact): WebhookContact {
  return defined({
    contactId: contact.contactId,
    name: contact.name,
    phoneE164: contact.phoneE164,
    language: contact.language,
    tags: [...contact.tags],
    attributes: { ...contact.attributes },
    crmIds: { ...contact.crmIds },
    identities: contact.identities.map((i) => defined({ kind: i.kind, value: i.value, accountId: i.accountId })),
    consent: Object.fromEntries(Object.entries(contact.consent).map(([channel, c]) => [channel, { status: c!.status, at: c!.at }])),
    firstTouch: contact.firstTouch
      ? defined({
          channel: contact.firstTouch.channel,
          source: contact.firstTouch.source,
          at: contact.firstTouch.at,
          adId: contact.firstTouch.adId,
          ref: contact.firstTouch.ref,
          utm: contact.firstTouch.utm ? (defined({ ...contact.firstTouch.utm }) as Record<string, string>) : undefined,
        })
      : undefined,
    mergedInto: contact.mergedInto,
    updatedAt: contact.updatedAt,
  }) as WebhookContact;
}

export function webhookBody(input: MapperInput, idempotencyKey: string = webhookIdempotencyKey(input)): WebhookBody {
  return defined({
    v: WEBHOOK_BODY_VERSION,
    id: input.eventId,
    idempotencyKey,
    type: input.eventType,
    occurredAt: input.occurredAt,
    businessId: input.integration.businessId,
    integrationId: input.integration.integrationId,
    contact: input.contact ? webhookContact(input.contact) : undefined,
    conversation: input.conversation ? (defined({ ...input.conversation }) as ConversationSnapshot) : undefined,
    message: input.message ? (defined({ ...input.message }) as MessageSnapshot) : undefined,
  }) as WebhookBody;
}

export const webhookMapper: IntegrationMapper = {
  kind: 'webhook',
  destinations: [WEBHOOK_EVENT],
  map(input) {
    const idempotencyKey = webhookIdempotencyKey(input);
    return [
      {
        destination: WEBHOOK_EVENT.key,
        method: WEBHOOK_EVENT.method,
        path: WEBHOOK_EVENT.pathTemplate,
        body: webhookBody(input, idempotencyKey),
        idempotencyKey,
      },
    ];
  },
};

function webhookIdempotencyKey(input: MapperInput): string {
  return idempotencyKeyOf(input.integration, input.eventId, WEBHOOK_EVENT.key);
}

function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}
