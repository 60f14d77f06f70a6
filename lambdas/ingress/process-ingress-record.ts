import { z } from 'zod';
import { rejectedAsInvalid } from '#lambdas/adapters/dynamodb';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageOrigin, NormalizedEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent, type RecordContext, type RecordDeps, type RecordOutcome } from '#lambdas/conversation/record-normalized-event';
import { accountHealthSignal, type AccountHealthSignal } from '#lambdas/channels/whatsapp/account-health';
import { QUARANTINE_KEY } from '#lambdas/conversation/conversation-key';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { sha256Hex } from '#lambdas/shared/hash';

const ingressEventSchema = z.looseObject({
  v: z.literal(1),
  kind: z.enum(['whatsapp.change', 'messaging', 'change', 'quarantine']),
  channel: z.enum(['whatsapp', 'instagram', 'messenger', 'unknown']),
  conversationKey: z.string().min(1),
  eventId: z.string().min(1),
  receivedAt: z.string().min(1),
  payload: z.unknown(),
  claimCheck: z.object({ bucket: z.string(), key: z.string() }).optional(),
});

export interface ProcessDeps extends RecordDeps {
  publisher: EventPublisher;
  readClaimCheck: (ref: { bucket: string; key: string }) => Promise<string>;
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
}

/**
 * One SQS record of the ingress queue: normalize, record exactly once, publish.
 * Data problems never throw (they become quarantined items); only infrastructure problems do,
 * and those are retried through the queue's partial batch failure.
 */
export async function processIngressRecord(body: string, deps: ProcessDeps): Promise<ProcessResult> {
  let { normalized, context } = await interpret(body, deps);
  let outcome: RecordOutcome;
  try {
    outcome = await recordNormalizedEvent(normalized, context, deps);
  } catch (err) {
    // DynamoDB refuses this item for what it is (over 400 KB, an invalid value): retrying cannot
    // help and would hold the conversation's queue group for every retry. Quarantine it instead.
    if (normalized.kind === 'quarantine' || !rejectedAsInvalid(err)) throw err;
    normalized = {
      kind: 'quarantine',
      channel: normalized.channel,
      conversationKey: normalized.conversationKey,
      eventId: normalized.eventId,
      occurredAt: normalized.occurredAt,
      reason: 'store_rejected:invalid_item',
    };
    context = { ...context, rawPayload: body };
    outcome = await recordNormalizedEvent(normalized, context, deps);
  }
  // A duplicate is published again: its first delivery may have stopped between the write and
  // the publish, and every consumer treats events as idempotent wake-up calls.
  if (outcome !== 'known_message') await deps.publisher.publish([domainEventFor(normalized)]);
  const accountHealth = accountHealthSignal(normalized);
  return {
    kind: normalized.kind,
    channel: normalized.channel,
    ...(normalized.kind === 'message' ? { origin: normalized.origin } : {}),
    outcome,
    ...(normalized.kind === 'quarantine' ? { reason: normalized.reason } : {}),
    ...(accountHealth ? { accountHealth } : {}),
  };
}

async function interpret(body: string, deps: ProcessDeps): Promise<{ normalized: NormalizedEvent; context: RecordContext }> {
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
  };
}

function unreadable(body: string, reason: string): { normalized: NormalizedEvent; context: RecordContext } {
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
  };
}
