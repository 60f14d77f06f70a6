import { readFileSync } from 'node:fs';
import { splitMessagingEntry } from '#lambdas/channels/meta-messaging/split-messaging';
import type { MessagingChannel } from '#lambdas/channels/meta-messaging/messaging-item';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';

export const RECEIVED_AT = '2026-01-01T00:00:00.000Z';

/** A sample payload from events/<channel>/<name>.json, parsed. */
export function sampleEvent(channel: MessagingChannel, name: string): { object: string; entry: unknown[] } {
  const url = new URL(`../../../../events/${channel}/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as { object: string; entry: unknown[] };
}

/** Splits every entry of a body as the webhook dispatcher would. */
export function splitBody(channel: MessagingChannel, body: { entry: unknown[] }): IngressEvent[] {
  return body.entry.flatMap((entry) => splitMessagingEntry(channel, entry, { receivedAt: RECEIVED_AT }));
}

/** One-entry body around a single messaging item. */
export function entryWith(entryId: string | number, items: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: entryId, time: 1767225600500, messaging: items, ...extra };
}

/** The same JSON with every object's keys in reverse order, as a redelivery might send it. */
export function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  ) as T;
}
