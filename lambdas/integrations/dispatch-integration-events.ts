import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import type { Contact } from '#lambdas/contacts/contact-model';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { candidateEvents, envelopeSchema, readTrigger, type EventEnvelope, type Trigger } from '#lambdas/integrations/dispatch/integration-triggers';
import {
  conversationSnapshot,
  customerIdentity,
  messageSnapshot,
  readConversation,
  readMessage,
  sessionStartOf,
  type TableItem,
} from '#lambdas/integrations/dispatch/snapshots';
import { deliveryIdOf, IDEMPOTENCY_KEY_PATTERN, idempotencyKeyOf } from '#lambdas/integrations/idempotency-key';
import type { IntegrationDirectory } from '#lambdas/integrations/integration-directory';
import type {
  ConversationSnapshot,
  DeliveryRequestedDetail,
  IntegrationEvent,
  IntegrationMapper,
  MessageSnapshot,
} from '#lambdas/integrations/integration-model';
import type { IntegrationSecrets } from '#lambdas/integrations/integration-secrets';
import type { IntegrationDelivery, IntegrationRecord, IntegrationStore } from '#lambdas/integrations/integration-store';
import type { MapperRegistry } from '#lambdas/integrations/mappers/index';
import { bodyBytes, signatureOf, stableBody } from '#lambdas/integrations/signed-body';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { sha256Hex } from '#lambdas/shared/hash';
import type { SnapshotSource } from '#lambdas/integrations/dispatch/snapshots-store';
import { ReopenPendingError } from '#lambdas/integrations/errors';

export interface DispatchDeps {
  /** The Conversation and Message items as they are now (dispatch/snapshots-store.ts). */
  snapshots: SnapshotSource;
  accounts: Pick<AccountReader, 'account'>;
  integrations: IntegrationDirectory;
  contacts: Pick<ContactStore, 'get' | 'findByIdentity'>;
  store: Pick<IntegrationStore, 'recordRequested' | 'markPublished'>;
  secrets: Pick<IntegrationSecrets, 'read'>;
  publisher: EventPublisher;
  mappers: MapperRegistry;
  now?: () => Date;
}

/** The request of one delivery as the `integration.delivery_requested` event carries it. */
export interface DeliveryRequestOut {
  destination: string;
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  /** Values of the API destination's `*` path wildcards, in order (target PathParameterValues). */
  pathParams: string[];
  /**
   * Webhooks: `sha256=<hex HMAC-SHA256 of the body bytes>`. The target sends it as the `signature`
   * query parameter, and `idempotencyKey` (above) as `idempotency_key` (delivery-parameters.ts).
   */
  signature?: string;
  body: unknown;
  idempotencyKey: string;
}

/** `integration.delivery_requested` as published: the contract's detail with the request above and the event time. */
export type DeliveryRequestedEvent = Omit<DeliveryRequestedDetail, 'request'> & {
  request: DeliveryRequestOut;
  /** The time of the domain event (keys the delivery's log item, so the dead-letter consumer finds it). */
  occurredAt: string;
};

export interface DroppedRequest {
  integrationId: string;
  destination: string;
  reason: 'unknown_destination' | 'method_mismatch' | 'bad_path_params' | 'too_large' | 'no_signing_secret';
}

export type DispatchOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'ignored'; reason: 'not_an_integration_event' | 'unknown_account' | 'no_integration' | 'conversation_of_another_business' }
  | { outcome: 'dispatched'; requested: number; repeated: number; dropped: DroppedRequest[]; droppedHeaders: number };

/** After this many receives a pending reopen is given up on: the message's other deliveries are out already. */
export const REOPEN_WAIT_RECEIVES = 5;
/** EventBridge refuses entries over 256 KB; the detail stays well below. */
export const MAX_DETAIL_BYTES = 200 * 1024;
const PATH_PARAM = /^[A-Za-z0-9._~-]{1,255}$/;

/** One integration event that applies, with what its mappers see. */
interface Occurrence {
  eventType: IntegrationEvent;
  /** Stable across redeliveries of the domain event: the root of idempotency keys. */
  root: string;
  /** The event's time: keys the delivery log item. */
  at: string;
  conversation?: ConversationSnapshot;
  message?: { withText?: MessageSnapshot; withoutText?: MessageSnapshot };
  contact?: Contact;
}

/**
 * One domain event → the `integration.delivery_requested` events of the business's integrations
 * that subscribed to what it means (integration-triggers.ts). Each request is recorded as a
 * `requested` delivery first (a conditional put keyed by the event, the integration and the
 * request's idempotency key), then published, then marked published: a redelivered event finds
 * its deliveries recorded and publishes only those not published yet, so a crash between the two
 * writes repeats a delivery (same idempotency key) rather than losing it.
 */
export async function dispatchIntegrationEvents(
  raw: unknown,
  deps: DispatchDeps,
  ctx: { receiveCount: number } = { receiveCount: 1 },
): Promise<DispatchOutcome> {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { outcome: 'invalid', issues: envelope.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.code}`) };
  const read = readTrigger(envelope.data);
  if (!read.ok) return read.ignored ? { outcome: 'ignored', reason: 'not_an_integration_event' } : { outcome: 'invalid', issues: read.issues };
  const trigger = read.trigger;

  const businessId = 'businessId' in trigger ? trigger.businessId : (await deps.accounts.account(trigger.accountId))?.businessId;
  if (!businessId) return { outcome: 'ignored', reason: 'unknown_account' };
  const wanted = candidateEvents(trigger);
  const integrations = (await deps.integrations.enabled(businessId)).filter(
    (i) => i.provisioning?.state === 'provisioned' && i.events.some((e) => wanted.includes(e)),
  );
  if (integrations.length === 0) return { outcome: 'ignored', reason: 'no_integration' };
  // The business comes from the event's account (or its businessId), the snapshot from the conversation
  // key: both must name the same business, or another business's conversation would reach this one's integrations.
  if ('conversationKey' in trigger && (await businessOfConversationKey(trigger.conversationKey, deps.accounts)) !== businessId) {
    return { outcome: 'ignored', reason: 'conversation_of_another_business' };
  }

  const subscribed = new Set(integrations.flatMap((i) => i.events));
  const { occurrences, reopenPending } = await occurrencesOf(trigger, envelope.data, businessId, subscribed, deps, ctx);

  const dropped: DroppedRequest[] = [];
  let droppedHeaders = 0;
  const pending: Array<{ detail: DeliveryRequestedEvent; delivery: IntegrationDelivery }> = [];
  for (const occurrence of occurrences) {
    for (const integration of integrations.filter((i) => i.events.includes(occurrence.eventType))) {
      const mapper = deps.mappers(integration.kind);
      if (!mapper) continue;
      const built = await requestsFor(integration, mapper, occurrence, businessId, deps);
      dropped.push(...built.dropped);
      droppedHeaders += built.droppedHeaders;
      pending.push(...built.requests);
    }
  }

  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const outcomes = await Promise.all(pending.map((p) => deps.store.recordRequested({ ...p.delivery, requestedAt: now() })));
  const toPublish = pending.filter((_, i) => outcomes[i] !== 'known_published');
  if (toPublish.length > 0) {
    await deps.publisher.publish(
      toPublish.map((p) => ({
        source: EVENT_SOURCE.integrations,
        detailType: DETAIL_TYPE.integrationDeliveryRequested,
        detail: p.detail as unknown as Record<string, unknown>,
      })),
    );
    const publishedAt = now();
    await Promise.all(toPublish.map((p) => deps.store.markPublished(p.delivery, publishedAt)));
  }
  // The rest is out; the opening waits for the reopen and comes back on its own.
  if (reopenPending) throw new ReopenPendingError('conversation reopen not recorded yet');
  return {
    outcome: 'dispatched',
    requested: outcomes.filter((o) => o === 'recorded').length,
    repeated: pending.length - outcomes.filter((o) => o === 'recorded').length,
    dropped,
    droppedHeaders,
  };
}

/** The business of the account a conversation key names (`<channel>:<account>:<customer>`). */
async function businessOfConversationKey(conversationKey: string, accounts: DispatchDeps['accounts']): Promise<string | undefined> {
  const accountId = conversationKey.split(':')[1];
  return accountId ? (await accounts.account(accountId))?.businessId : undefined;
}

/** The integration events the trigger is, read against the table's truth. */
async function occurrencesOf(
  trigger: Trigger,
  envelope: EventEnvelope,
  businessId: string,
  subscribed: ReadonlySet<IntegrationEvent>,
  deps: DispatchDeps,
  ctx: { receiveCount: number },
): Promise<{ occurrences: Occurrence[]; reopenPending: boolean }> {
  const occurrences: Occurrence[] = [];
  let reopenPending = false;
  const contactOf = async (conversation: ConversationSnapshot | undefined) => {
    if (!conversation) return undefined;
    const identity = customerIdentity(conversation);
    return deps.contacts.findByIdentity(businessId, identity.kind, identity.value, identity.accountId);
  };
  const messages = (item: TableItem | undefined) =>
    item ? { withText: messageSnapshot(item, { includeText: true }), withoutText: messageSnapshot(item, { includeText: false }) } : undefined;

  switch (trigger.on) {
    case 'message.received': {
      const conversationItem = await readConversation(deps, trigger.conversationKey);
      const conversation = conversationItem ? conversationSnapshot(conversationItem) : undefined;
      if (!conversationItem || !conversation) break;
      const messageItem = await readMessage(deps, trigger.conversationKey, trigger.providerMessageId);
      const contact = await contactOf(conversation);
      if (subscribed.has('message.received')) {
        occurrences.push({
          eventType: 'message.received',
          root: `message.received|${trigger.eventId}`,
          at: trigger.occurredAt,
          conversation,
          message: messages(messageItem),
          contact,
        });
      }
      if (subscribed.has('conversation.opened')) {
        const opening = openingOf(conversationItem, trigger.occurredAt);
        if (opening === 'pending') reopenPending = ctx.receiveCount < REOPEN_WAIT_RECEIVES;
        else if (opening) {
          occurrences.push({
            eventType: 'conversation.opened',
            root: `conversation.opened|${trigger.conversationKey}|${opening}`,
            at: opening,
            conversation: { ...conversation, openedAt: opening },
            message: messages(messageItem),
            contact,
          });
        }
      }
      break;
    }
    case 'message.status': {
      const conversationItem = await readConversation(deps, trigger.conversationKey);
      const conversation = conversationItem ? conversationSnapshot(conversationItem) : undefined;
      const messageItem = await readMessage(deps, trigger.conversationKey, trigger.messageId);
      if (!conversation || !messageItem) break;
      const message = messages(messageItem);
      const contact = await contactOf(conversation);
      const statusNow = { ...message, withText: withStatus(message?.withText, trigger), withoutText: withStatus(message?.withoutText, trigger) };
      if (trigger.status === 'failed') {
        if (subscribed.has('message.failed')) {
          occurrences.push({
            eventType: 'message.failed',
            root: `message.failed|${trigger.conversationKey}|${trigger.messageId}`,
            at: trigger.occurredAt,
            conversation,
            message: statusNow,
            contact,
          });
        }
        break;
      }
      if (subscribed.has('message.status')) {
        occurrences.push({
          eventType: 'message.status',
          root: `message.status|${trigger.conversationKey}|${trigger.messageId}|${trigger.status}`,
          at: trigger.occurredAt,
          conversation,
          message: statusNow,
          contact,
        });
      }
      const sentAt = message?.withoutText?.at;
      if (subscribed.has('message.sent') && sentAt && messageItem.direction === 'outbound') {
        // Delivered and read both say "it went out": the first one to arrive is the message's one `message.sent`.
        occurrences.push({
          eventType: 'message.sent',
          root: `message.sent|${trigger.conversationKey}|${trigger.messageId}`,
          at: sentAt,
          conversation,
          message,
          contact,
        });
      }
      break;
    }
    case 'conversation.assigned': {
      const item = await readConversation(deps, trigger.conversationKey);
      const conversation = item ? conversationSnapshot(item, trigger.agentId ? { assignedAgentId: trigger.agentId } : {}) : undefined;
      if (!conversation) break;
      occurrences.push({
        eventType: 'conversation.assigned',
        root: `conversation.assigned|${trigger.conversationKey}|${trigger.agentId ?? ''}|${trigger.at}`,
        at: trigger.at,
        conversation,
        contact: await contactOf(conversation),
      });
      break;
    }
    case 'conversation.closed': {
      const item = await readConversation(deps, trigger.conversationKey);
      if (!item) break;
      // The conversation may have reopened since: the snapshot is of the session that closed.
      const start = sessionStartOf(item);
      const conversation = conversationSnapshot(item, {
        state: 'closed',
        closedAt: trigger.closedAt,
        ...(trigger.outcome ? { outcome: trigger.outcome } : {}),
        ...(start && start > trigger.closedAt && typeof item.createdAt === 'string' ? { openedAt: item.createdAt } : {}),
      });
      if (!conversation) break;
      occurrences.push({
        eventType: 'conversation.closed',
        root: `conversation.closed|${trigger.conversationKey}|${trigger.closedAt}`,
        at: trigger.closedAt,
        conversation,
        contact: await contactOf(conversation),
      });
      break;
    }
    case 'template.requested': {
      const messageItem = await readMessage(deps, trigger.conversationKey, trigger.outboundId);
      if (messageItem?.type !== 'template' || !messageItem.template) break;
      const conversationItem = await readConversation(deps, trigger.conversationKey);
      // A template to a customer who never wrote has no conversation item yet: the message says enough.
      const conversation = conversationItem ? conversationSnapshot(conversationItem) : undefined;
      const at = typeof messageItem.createdAt === 'string' ? messageItem.createdAt : trigger.time || envelope.time || '';
      occurrences.push({
        eventType: 'template.sent',
        root: `template.sent|${trigger.conversationKey}|${trigger.outboundId}`,
        at,
        ...(conversation ? { conversation } : {}),
        message: messages(messageItem),
        contact: await contactOf(conversation),
      });
      break;
    }
    case 'contact.updated': {
      const contact = await deps.contacts.get(businessId, trigger.contactId);
      if (!contact) break;
      occurrences.push({
        eventType: 'contact.updated',
        root: `contact.updated|${trigger.contactId}|${trigger.version ?? envelope.id}`,
        at: trigger.at,
        contact,
      });
      break;
    }
    case 'contact.merged': {
      const contact = await deps.contacts.get(businessId, trigger.survivorId);
      if (!contact) break;
      occurrences.push({ eventType: 'contact.merged', root: `contact.merged|${trigger.mergeId}`, at: trigger.at, contact });
      break;
    }
  }
  return { occurrences: occurrences.filter((o) => subscribed.has(o.eventType) && o.at !== ''), reopenPending };
}

/**
 * When a customer message opens a conversation session: the session's start (creation, or the
 * reopening after a close), `pending` when the conversation is closed and the message came after
 * the close (the agent reopens it moments later), `undefined` when the message belongs to a
 * session that already closed.
 */
export function openingOf(conversation: TableItem, messageAt: string): string | 'pending' | undefined {
  const start = sessionStartOf(conversation);
  const closedAt = typeof conversation.closedAt === 'string' ? conversation.closedAt : undefined;
  if (!start) return undefined;
  if (closedAt && closedAt >= start) return messageAt > closedAt ? 'pending' : undefined;
  return start;
}

function withStatus(message: MessageSnapshot | undefined, trigger: Extract<Trigger, { on: 'message.status' }>): MessageSnapshot | undefined {
  if (!message) return undefined;
  return { ...message, status: trigger.status, ...(trigger.errorCode !== undefined ? { errorCode: String(trigger.errorCode) } : {}) };
}

/** Mapper requests of one integration for one occurrence, checked and made into delivery events. */
async function requestsFor(
  integration: IntegrationRecord,
  mapper: IntegrationMapper,
  occurrence: Occurrence,
  businessId: string,
  deps: DispatchDeps,
): Promise<{ requests: Array<{ detail: DeliveryRequestedEvent; delivery: IntegrationDelivery }>; dropped: DroppedRequest[]; droppedHeaders: number }> {
  const eventId = `e_${sha256Hex(occurrence.root).slice(0, 32)}`;
  // Message text goes only to integrations that chose message events.
  const includeText = integration.events.some((e) => e.startsWith('message.'));
  const message = includeText ? occurrence.message?.withText : occurrence.message?.withoutText;
  const mapped = mapper.map({
    integration,
    eventType: occurrence.eventType,
    eventId,
    occurredAt: occurrence.at,
    ...(occurrence.contact ? { contact: occurrence.contact } : {}),
    ...(occurrence.conversation ? { conversation: occurrence.conversation } : {}),
    ...(message ? { message } : {}),
  });
  const requests: Array<{ detail: DeliveryRequestedEvent; delivery: IntegrationDelivery }> = [];
  const dropped: DroppedRequest[] = [];
  let droppedHeaders = 0;
  const drop = (destination: string, reason: DroppedRequest['reason']) =>
    dropped.push({ integrationId: integration.integrationId, destination: destination.slice(0, 64), reason });

  for (const request of mapped) {
    const spec = mapper.destinations.find((d) => d.key === request.destination);
    if (!spec) {
      drop(String(request.destination), 'unknown_destination');
      continue;
    }
    if (request.method !== spec.method) {
      drop(spec.key, 'method_mismatch');
      continue;
    }
    const wildcards = (spec.pathTemplate.match(/\*/g) ?? []).length;
    const pathParams = request.pathParams ?? [];
    if (pathParams.length !== wildcards || !pathParams.every((p) => typeof p === 'string' && PATH_PARAM.test(p))) {
      drop(spec.key, 'bad_path_params');
      continue;
    }
    const idempotencyKey =
      typeof request.idempotencyKey === 'string' && IDEMPOTENCY_KEY_PATTERN.test(request.idempotencyKey)
        ? request.idempotencyKey
        : idempotencyKeyOf(integration, eventId, spec.key);
    const body = stableBody(request.body ?? {});
    let signature: string | undefined;
    if (integration.kind === 'webhook') {
      const secretId = integration.resources?.signingSecretId;
      const credentials = secretId ? await deps.secrets.read(secretId) : undefined;
      if (!credentials) {
        drop(spec.key, 'no_signing_secret');
        continue;
      }
      signature = signatureOf(bodyBytes(body), credentials.signingSecret);
    }
    // EventBridge sends header values as written, never from the event: a header a mapper asks for cannot travel.
    droppedHeaders += Object.keys(request.headers ?? {}).length;
    const deliveryId = deliveryIdOf(integration.integrationId, eventId, idempotencyKey);
    const detail: DeliveryRequestedEvent = {
      v: 1,
      businessId,
      integrationId: integration.integrationId,
      deliveryId,
      eventType: occurrence.eventType,
      idempotencyKey,
      occurredAt: occurrence.at,
      request: {
        destination: spec.key,
        method: spec.method,
        path: String(request.path ?? spec.pathTemplate).slice(0, 1024),
        pathParams,
        body,
        idempotencyKey,
        ...(signature !== undefined ? { signature } : {}),
      },
    };
    if (Buffer.byteLength(JSON.stringify(detail)) > MAX_DETAIL_BYTES) {
      drop(spec.key, 'too_large');
      continue;
    }
    requests.push({
      detail,
      delivery: {
        businessId,
        integrationId: integration.integrationId,
        deliveryId,
        eventType: occurrence.eventType,
        status: 'requested',
        at: occurrence.at,
        destination: spec.key,
        method: spec.method,
        path: detail.request.path,
        idempotencyKey,
      },
    });
  }
  return { requests, dropped, droppedHeaders };
}
