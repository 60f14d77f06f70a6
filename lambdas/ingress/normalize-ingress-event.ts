import { normalizeMessaging } from '#lambdas/channels/meta-messaging/normalize-messaging';
import { normalizeWhatsApp } from '#lambdas/channels/whatsapp/normalize-whatsapp';
import { boundEventIds } from '#lambdas/conversation/bound-event-ids';
import type { NormalizedEvent, QuarantineEvent } from '#lambdas/conversation/model';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';

/**
 * Turns one ingress event into the canonical model. Never throws for bad provider data:
 * anything that does not fit a known schema comes back as a quarantine event with a reason.
 * Every payload id in the result is bounded (conversation/bound-event-ids.ts), so no id can make
 * a key, a queue id or a domain event too large.
 */
export function normalizeIngressEvent(event: IngressEvent): NormalizedEvent {
  try {
    return boundEventIds(normalizeUnbounded(event));
  } catch (err) {
    // An id of an unexpected type (a normalizer bug): park the event rather than lose it.
    return boundEventIds(quarantined(event, `normalizer_error:${(err as Error | undefined)?.name ?? 'unknown'}`));
  }
}

function normalizeUnbounded(event: IngressEvent): NormalizedEvent {
  if (event.kind === 'quarantine') {
    return quarantined(event, event.quarantineReason ?? 'quarantined_at_ingress');
  }
  try {
    if (event.channel === 'whatsapp' && event.kind === 'whatsapp.change') return normalizeWhatsApp(event);
    if ((event.channel === 'instagram' || event.channel === 'messenger') && (event.kind === 'messaging' || event.kind === 'change')) {
      return normalizeMessaging(event);
    }
    return quarantined(event, `unroutable:${event.channel}:${event.kind}`);
  } catch (err) {
    return quarantined(event, `normalizer_error:${(err as Error).name}`);
  }
}

function quarantined(event: IngressEvent, reason: string): QuarantineEvent {
  return {
    kind: 'quarantine',
    channel: event.channel,
    conversationKey: event.conversationKey,
    eventId: event.eventId,
    occurredAt: event.receivedAt,
    reason,
  };
}
