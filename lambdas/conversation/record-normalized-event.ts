import { MAX_DETAIL_BYTES, MAX_REASON_BYTES } from '#lambdas/conversation/bound-event-ids';
import type { ActivitySide } from '#lambdas/conversation/conversation-store';
import type { MessageCounter } from '#lambdas/conversation/message-store';
import type { MessageChangeEvent, MessageEvent, NormalizedEvent, QuarantineEvent } from '#lambdas/conversation/model';
import type { ConversationStores } from '#lambdas/conversation/conversation-stores';
import { expiresAt } from '#lambdas/conversation/table-keys';
import { boundedKey, rawIdAttribute, truncateUtf8, utf8Bytes } from '#lambdas/shared/bounded-id';

/** Where the normalizer's items are kept (conversation/conversation-stores.ts). */
export type RecordStores = ConversationStores;

export interface RecordDeps extends RecordStores {
  /** How long operational items (PII included) are kept before DynamoDB's TTL removes them. */
  retentionDays: number;
  now?: () => Date;
}

/**
 * - `stored`: first time this provider event was seen; everything it implies was written.
 * - `duplicate`: already recorded by an earlier delivery; nothing was written again.
 * - `known_message`: a provider message id that this pipeline already holds under another item
 *   (the echo of a message we sent ourselves); nothing was written.
 */
export type RecordOutcome = 'stored' | 'duplicate' | 'known_message';

export interface RecordContext {
  receivedAt: string;
  /** Raw payload kept for quarantined events so nothing signed is lost. */
  rawPayload?: unknown;
  claimCheck?: { bucket: string; key: string };
}

/**
 * Quarantined payloads larger than this (in UTF-8 bytes) are cut; the claim-check copy (when any)
 * stays whole. With the item's other attributes (bounded ids, reason, detail, raw ids: under
 * 20 KB) the item stays below DynamoDB's 400 KB.
 */
const MAX_RAW_BYTES = 300_000;
/** Claim-check references are ours (the webhook wrote them), but they ride in the queue record. */
const MAX_REFERENCE_BYTES = 1_024;

export async function recordNormalizedEvent(event: NormalizedEvent, ctx: RecordContext, deps: RecordDeps): Promise<RecordOutcome> {
  switch (event.kind) {
    case 'message':
      return recordMessage(event, ctx, deps);
    case 'status':
      return deps.recordedEvents.recordStatusChange(event, ctx.receivedAt, expiresAt(event.occurredAt, deps.retentionDays));
    case 'message_deleted':
    case 'message_edited':
      return recordMessageChange(event, ctx, deps);
    case 'notification':
      return deps.recordedEvents.recordNotification(event, ctx.receivedAt, expiresAt(event.occurredAt, deps.retentionDays));
    case 'quarantine':
      return deps.recordedEvents.recordQuarantine(quarantineEntry(event, ctx, deps));
  }
}

/**
 * A message lands once: one transaction puts the message item (on condition that it is new) and
 * counts it on the conversation, so a redelivery can neither store nor count it twice. Only a
 * business message (ours, echoed, or from the business app) gets a provider-id pointer: receipts
 * and echoes name business messages only, and the pointer is what tells the echo of our own send
 * (`known_message`). A customer's message is keyed by its provider id in its own conversation, so
 * an edit or deletion finds it without one.
 *
 * The conversation's last activity only moves forward; it rides in the same transaction when the
 * conversation, read first (a read costs an eighth of a write), shows it behind this message,
 * which is the rule for messages arriving in order. Otherwise, and on a redelivery, a separate
 * conditional write moves it (advanceLastActivity).
 */
async function recordMessage(event: MessageEvent, ctx: RecordContext, deps: RecordDeps): Promise<RecordOutcome> {
  const counter: MessageCounter = event.origin === 'history' ? 'importedCount' : event.direction === 'inbound' ? 'inboundCount' : 'outboundCount';
  const message = {
    event,
    receivedAt: ctx.receivedAt,
    storedAt: nowIso(deps),
    expiresAt: expiresAt(event.occurredAt, deps.retentionDays),
    counter,
    withPointer: event.direction === 'outbound',
  };
  const side = activitySide(event);
  const moveActivity = side !== undefined && (await activityIsBehind(event, side, deps));

  let outcome = await deps.messages.recordMessage(message, moveActivity ? side : undefined);
  if (outcome === 'activity_behind') {
    // Only the last-activity condition refused (another message moved it meanwhile): store without it.
    outcome = await deps.messages.recordMessage(message, undefined);
    if (outcome === 'stored') {
      await advanceLastActivity(event, deps);
      return 'stored';
    }
  }
  if (outcome === 'known_message') return 'known_message';
  if (outcome === 'duplicate') {
    // A redelivery: the first delivery may have died before moving the last activity, so try it again.
    await advanceLastActivity(event, deps);
    return 'duplicate';
  }
  if (side !== undefined && !moveActivity) await advanceLastActivity(event, deps);
  return 'stored';
}

/** Which side's "last" activity a message moves; imported history moves none. */
function activitySide(event: MessageEvent): ActivitySide | undefined {
  if (event.origin === 'history') return undefined;
  return event.direction;
}

async function activityIsBehind(event: MessageEvent, side: ActivitySide, stores: RecordStores): Promise<boolean> {
  const at = await stores.conversations.lastActivityAt(event.conversationKey, side);
  return at === undefined || at < event.occurredAt;
}

/**
 * Meta does not promise order, so the "last inbound" time (which opens the 24-hour window)
 * only ever moves forward: an older message arriving late must not shrink the window.
 */
async function advanceLastActivity(event: MessageEvent, stores: RecordStores): Promise<void> {
  const side = activitySide(event);
  if (!side) return;
  await stores.conversations.advanceLastActivity(event.conversationKey, side, event.occurredAt, event.providerMessageId);
}

async function recordMessageChange(event: MessageChangeEvent, ctx: RecordContext, deps: RecordDeps): Promise<RecordOutcome> {
  const stored = await deps.messages.recordChange(event, ctx.receivedAt, expiresAt(event.occurredAt, deps.retentionDays));
  await applyChangeToMessage(event, deps);
  return stored ? 'stored' : 'duplicate';
}

/**
 * The change is applied to the message when we hold it; an edit only replaces an older edit. A
 * business message is found through its provider-id pointer; a customer's message, which has
 * none, under its provider id in the change's own conversation.
 */
async function applyChangeToMessage(event: MessageChangeEvent, stores: RecordStores): Promise<void> {
  const target = await stores.messages.findMessage(event.providerMessageId, event.conversationKey);
  if (event.kind === 'message_deleted') await stores.messages.markDeleted(target, event.occurredAt);
  else await stores.messages.applyEdit(target, { text: event.text, at: event.occurredAt, editCount: event.editCount ?? 1 });
}

function quarantineEntry(event: QuarantineEvent, ctx: RecordContext, deps: RecordDeps) {
  const raw = typeof ctx.rawPayload === 'string' ? ctx.rawPayload : (JSON.stringify(ctx.rawPayload ?? null) ?? 'null');
  const rawBytes = utf8Bytes(raw);
  const kept = rawBytes > MAX_RAW_BYTES ? truncateUtf8(raw, MAX_RAW_BYTES) : raw;
  const eventId = boundedKey(event.eventId);
  const conversationKey = boundedKey(event.conversationKey);
  // The event normally arrives bounded (bound-event-ids.ts); ids bounded only here are kept raw too.
  const rawIds = {
    ...(event.rawIds ?? {}),
    ...(eventId !== event.eventId ? { eventId: rawIdAttribute(event.eventId) } : {}),
    ...(conversationKey !== event.conversationKey ? { conversationKey: rawIdAttribute(event.conversationKey) } : {}),
  };
  return {
    eventId,
    channel: event.channel,
    conversationKey,
    ...(Object.keys(rawIds).length > 0 ? { rawIds } : {}),
    reason: truncateUtf8(event.reason, MAX_REASON_BYTES),
    detail: event.detail === undefined ? undefined : truncateUtf8(event.detail, MAX_DETAIL_BYTES),
    receivedAt: ctx.receivedAt,
    rawPayload: kept,
    rawTruncated: kept !== raw,
    rawBytes,
    claimCheckBucket: ctx.claimCheck ? truncateUtf8(ctx.claimCheck.bucket, MAX_REFERENCE_BYTES) : undefined,
    claimCheckKey: ctx.claimCheck ? truncateUtf8(ctx.claimCheck.key, MAX_REFERENCE_BYTES) : undefined,
    // Quarantined events wait for a person; keep them at least 90 days whatever the retention.
    expiresAt: expiresAt(Number.isNaN(Date.parse(ctx.receivedAt)) ? nowIso(deps) : ctx.receivedAt, Math.max(deps.retentionDays, 90)),
  };
}

function nowIso(deps: RecordDeps): string {
  return (deps.now ?? (() => new Date()))().toISOString();
}
