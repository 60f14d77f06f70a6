import { splitMessagingEntry } from '#lambdas/channels/meta-messaging/split-messaging';
import { splitWhatsAppEntry } from '#lambdas/channels/whatsapp/split-whatsapp';
import { QUARANTINE_KEY } from '#lambdas/conversation/conversation-key';
import type { Channel } from '#lambdas/conversation/model';
import type { IngressEvent, SplitContext } from '#lambdas/ingress/ingress-event';
import { jsonNestingDepth } from '#lambdas/ingress/json-nesting-depth';
import { idString } from '#lambdas/shared/ids';
import { sha256Hex } from '#lambdas/shared/hash';

/** Meta's deepest payloads nest about 13 levels; far deeper bodies would overflow recursive code downstream. */
export const MAX_JSON_DEPTH = 64;

const CHANNEL_OF_OBJECT: Record<string, Channel> = {
  whatsapp_business_account: 'whatsapp',
  instagram: 'instagram',
  page: 'messenger',
};

export function quarantineEvent(reason: string, raw: string, ctx: SplitContext, extra: Partial<IngressEvent> = {}): IngressEvent {
  return {
    v: 1,
    kind: 'quarantine',
    channel: 'unknown',
    conversationKey: QUARANTINE_KEY,
    // Same bytes, same id: a redelivered bad body is quarantined once.
    eventId: `quarantine:${sha256Hex(raw).slice(0, 40)}`,
    receivedAt: ctx.receivedAt,
    payload: raw,
    quarantineReason: reason,
    ...extra,
  };
}

/**
 * Cuts a verified webhook body into one ingress event per message, status, echo or change.
 * Never throws: what cannot be understood becomes a quarantine event carrying the raw text,
 * so a signed body is always acknowledged and never lost. An entry that fails to split is
 * quarantined on its own; the other entries of the same POST still go through.
 */
export function splitWebhookBody(rawBody: string, ctx: SplitContext): IngressEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return [quarantineEvent('invalid_json', rawBody, ctx)];
  }
  if (jsonNestingDepth(rawBody) > MAX_JSON_DEPTH) {
    return [quarantineEvent('too_deeply_nested', rawBody, ctx)];
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return [quarantineEvent('not_an_object', rawBody, ctx)];
  }
  const { object, entry } = body as { object?: unknown; entry?: unknown };
  if (typeof object !== 'string' || object === '') {
    return [quarantineEvent('missing_object', rawBody, ctx)];
  }
  const channel = CHANNEL_OF_OBJECT[object];
  if (!channel) {
    return [quarantineEvent(`unknown_object:${object.slice(0, 40)}`, rawBody, ctx, { object })];
  }
  if (!Array.isArray(entry) || entry.length === 0) {
    return [quarantineEvent('missing_entry', rawBody, ctx, { channel, object })];
  }
  const events: IngressEvent[] = [];
  for (const item of entry) {
    try {
      const split = channel === 'whatsapp' ? splitWhatsAppEntry(item, ctx) : splitMessagingEntry(channel, item, ctx);
      if (split.length === 0) {
        events.push(entryQuarantine('empty_entry', item, channel, object, ctx));
      }
      for (const e of split) events.push({ ...e, object });
    } catch (err) {
      events.push(entryQuarantine(`split_failed:${(err as Error).name}`, item, channel, object, ctx));
    }
  }
  return events;
}

function entryQuarantine(reason: string, entry: unknown, channel: Channel, object: string, ctx: SplitContext): IngressEvent {
  const raw = JSON.stringify({ object, entry: [entry] });
  const entryId = idString((entry as { id?: unknown } | null)?.id);
  return quarantineEvent(reason, raw, ctx, { channel, object, ...(entryId ? { entryId } : {}) });
}
