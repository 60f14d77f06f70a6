import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
import { answersCustomers, gateByAccount } from '#lambdas/accounts/account-gate';
import { recordBusinessAppContact } from '#lambdas/accounts/business-app-contacts';
import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import { rejectedAsInvalid } from '#lambdas/adapters/dynamodb';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { domainEventFor, fitsEventBus } from '#lambdas/conversation/domain-events';
import type { MessageOrigin, NormalizedEvent, QuarantineEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent, type RecordContext, type RecordDeps, type RecordOutcome } from '#lambdas/conversation/record-normalized-event';
import { accountHealthSignal, type AccountHealthSignal } from '#lambdas/channels/whatsapp/account-health';
import { QUARANTINE_KEY } from '#lambdas/conversation/conversation-key';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { sha256Hex } from '#lambdas/shared/hash';
import type { StatusDeps, StatusOutcome } from '#lambdas/status/apply-delivery-status';
import { applyReceiptOnArrival } from '#lambdas/status/apply-receipt-on-arrival';
import type { IngressStores } from '#lambdas/ingress/ingress-stores';

const ingressEventSchema = z.looseObject({
  v: z.literal(1),
  kind: z.enum(['whatsapp.change', 'messaging', 'change', 'quarantine']),
  channel: z.enum(['whatsapp', 'instagram', 'messenger', 'unknown']),
  conversationKey: z.string().check(z.minLength(1)),
  eventId: z.string().check(z.minLength(1)),
  receivedAt: z.string().check(z.minLength(1)),
  payload: z.unknown(),
  claimCheck: z.optional(z.object({ bucket: z.string(), key: z.string() })),
});

/** The normalizer's stores (ingress/ingress-stores.ts) and services. */
export interface ProcessDeps extends RecordDeps, IngressStores {
  publisher: EventPublisher;
  /** Which status changes of business messages are announced on the bus (status/announced-statuses.ts). */
  announce?: StatusDeps['announce'];
  /** Adds each message a receipt prices to its business's Meta spend (pricing/count-message-spend.ts). */
  spend?: StatusDeps['spend'];
  /** Counts campaign messages' receipts on their campaign (campaigns/campaign-counts.ts). */
  campaignCounts?: StatusDeps['campaignCounts'];
  readClaimCheck: (ref: { bucket: string; key: string }) => Promise<string>;
  /** The channel account registry (cached): events of unregistered accounts are quarantined. */
  accounts: AccountReader;
}

export interface ProcessResult {
  kind: NormalizedEvent['kind'];
  channel: NormalizedEvent['channel'];
  /** Who wrote a message (`customer`, `business_echo`, `history`…); messages only. */
  origin?: MessageOrigin;
  outcome: RecordOutcome;
  reason?: string;
  /** Account or number health news (quality downgrade, restriction, disabling), for the alarms. */
  accountHealth?: AccountHealthSignal;
  /** A customer message to an account still onboarding: recorded, the agent not woken. */
  held?: 'account_onboarding';
  /** An address-book change DynamoDB refused for its content: not retried (its notification is stored). */
  contactRejected?: true;
  /** A delivery receipt, applied to its message on arrival (or handed to status tracking). */
  receipt?: { status: StatusOutcome; handedOver: boolean };
}

/**
 * One SQS record of the ingress queue: normalize, record exactly once, publish.
 * Data problems never throw (they become quarantined items); only infrastructure problems do,
 * and those are retried through the queue's partial batch failure.
 */
export async function processIngressRecord(body: string, deps: ProcessDeps): Promise<ProcessResult> {
  let { normalized, context, payload } = await interpret(body, deps);
  const gate = await gateByAccount(normalized, deps.accounts);
  if (gate.verdict === 'quarantined') {
    normalized = gate.quarantine;
    context = { ...context, rawPayload: payload };
  }
  // Checked before anything is written: an event the bus would refuse can never be announced,
  // so retrying it would only hold the conversation's queue group until it is dead-lettered.
  if (normalized.kind !== 'quarantine' && !fitsEventBus(domainEventFor(normalized))) {
    normalized = quarantineOf(normalized, 'event_too_large');
    context = { ...context, rawPayload: payload };
  }
  const held = gate.verdict === 'admitted' && !answersCustomers(gate.status) && normalized.kind === 'message' && normalized.origin === 'customer';
  let outcome: RecordOutcome;
  try {
    if (normalized.kind === 'status') {
      // Applied to its message here; published only when status tracking has to retry it.
      const receipt = await applyReceiptOnArrival(normalized, context, deps);
      return {
        kind: 'status',
        channel: normalized.channel,
        outcome: receipt.outcome,
        receipt: { status: receipt.status, handedOver: receipt.handedOver },
      };
    }
    outcome = await recordNormalizedEvent(normalized, context, deps);
  } catch (err) {
    // DynamoDB refuses this item for what it is (over 400 KB, an invalid value): retrying cannot
    // help and would hold the conversation's queue group for every retry. Quarantine it instead.
    // (A quarantine write falls back to a bare item itself; see record-normalized-event.ts.)
    if (normalized.kind === 'quarantine' || !rejectedAsInvalid(err)) throw err;
    normalized = quarantineOf(normalized, 'store_rejected:invalid_item');
    context = { ...context, rawPayload: body };
    outcome = await recordNormalizedEvent(normalized, context, deps);
  }
  // Coexistence address-book changes land on the contact item (newest wins, so a redelivery is harmless).
  let contactRejected = false;
  try {
    if (outcome !== 'known_message') await recordBusinessAppContact(normalized, deps);
  } catch (err) {
    // The notification itself is stored; a contact DynamoDB refuses for its content (a name over
    // the item limit) never will be, so it is reported instead of retried.
    if (!rejectedAsInvalid(err)) throw err;
    contactRejected = true;
  }
  // A duplicate is published again: its first delivery may have stopped between the write and
  // the publish, and every consumer treats events as idempotent wake-up calls.
  if (outcome !== 'known_message' && !held) await deps.publisher.publish([domainEventFor(normalized)]);
  const accountHealth = accountHealthSignal(normalized);
  return {
    kind: normalized.kind,
    channel: normalized.channel,
    ...(normalized.kind === 'message' ? { origin: normalized.origin } : {}),
    outcome,
    ...(normalized.kind === 'quarantine' ? { reason: normalized.reason } : {}),
    ...(accountHealth ? { accountHealth } : {}),
    ...(held ? { held: 'account_onboarding' as const } : {}),
    ...(contactRejected ? { contactRejected: true } : {}),
  };
}

/** The event parked for a person, under its own (bounded) identity. */
function quarantineOf(event: Exclude<NormalizedEvent, QuarantineEvent>, reason: string): QuarantineEvent {
  return {
    kind: 'quarantine',
    channel: event.channel,
    conversationKey: event.conversationKey,
    eventId: event.eventId,
    occurredAt: event.occurredAt,
    reason,
    ...(event.rawIds ? { rawIds: event.rawIds } : {}),
  };
}

interface Interpreted {
  normalized: NormalizedEvent;
  context: RecordContext;
  /** The event's payload as Meta sent it, kept when the event is quarantined. */
  payload: unknown;
}

async function interpret(body: string, deps: ProcessDeps): Promise<Interpreted> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return unreadable(body, 'ingress_record_not_json');
  }
  const parsed = ingressEventSchema.safeParse(json);
  if (!parsed.success) return unreadable(body, 'ingress_record_schema');
  let event = parsed.data as unknown as IngressEvent;
  if (event.claimCheck) {
    // S3 errors propagate: the record is retried rather than quarantined without its payload.
    const stored = JSON.parse(await deps.readClaimCheck(event.claimCheck)) as IngressEvent;
    event = { ...stored, claimCheck: event.claimCheck };
  }
  const normalized = normalizeIngressEvent(event);
  return {
    normalized,
    context: {
      receivedAt: event.receivedAt,
      ...(normalized.kind === 'quarantine' ? { rawPayload: event.payload } : {}),
      ...(event.claimCheck ? { claimCheck: event.claimCheck } : {}),
    },
    payload: event.payload,
  };
}

function unreadable(body: string, reason: string): Interpreted {
  const receivedAt = new Date().toISOString();
  return {
    normalized: {
      kind: 'quarantine',
      channel: 'unknown',
      conversationKey: QUARANTINE_KEY,
      eventId: `quarantine:${sha256Hex(body).slice(0, 40)}`,
      occurredAt: receivedAt,
      reason,
    },
    context: { receivedAt, rawPayload: body },
    payload: body,
  };
}
