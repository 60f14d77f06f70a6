import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { splitMessagingEntry } from '#lambdas/channels/meta-messaging/split-messaging';
import type { MessagingChannel } from '#lambdas/channels/meta-messaging/messaging-item';
import type { NormalizedEvent } from '#lambdas/conversation/model';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';

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

/**
 * A raw webhook body through the real ingress pipeline: the dispatcher's split (as the webhook
 * Lambda runs it) and the dispatcher's normalization (as the normalizer Lambda runs it).
 */
export function throughPipeline(rawBody: string): { ingress: IngressEvent[]; normalized: NormalizedEvent[] } {
  const ingress = splitWebhookBody(rawBody, { receivedAt: RECEIVED_AT });
  return { ingress, normalized: ingress.map(normalizeIngressEvent) };
}

/** One expected canonical event: fields it must have, and fields it must not have. */
export type ExpectedEvent = Record<string, unknown> & { absent?: string[] };

export interface ConformanceExpectation {
  /**
   * The published body has no top-level `object`: the dispatcher must quarantine it with
   * `missing_object`, and `events` then describes the same body re-run with the object added.
   */
  missingObject?: true;
  events: ExpectedEvent[];
}

const OBJECT_OF: Record<MessagingChannel, string> = { instagram: 'instagram', messenger: 'page' };

/**
 * Drives one conformance body through the pipeline and checks it against its expectation,
 * plus what must hold for every file: the canonical event keeps the ingress event's id and
 * conversation key, and a redelivery of the same bytes gives the same events.
 */
export function expectConformance(channel: MessagingChannel, rawBody: string, expected: ConformanceExpectation): void {
  let body = rawBody;
  if (expected.missingObject) {
    const run = throughPipeline(rawBody);
    expect(run.ingress).toEqual([
      expect.objectContaining({ kind: 'quarantine', quarantineReason: 'missing_object', conversationKey: 'quarantine', payload: rawBody }),
    ]);
    expect(run.normalized).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'missing_object', occurredAt: RECEIVED_AT })]);
    body = JSON.stringify({ object: OBJECT_OF[channel], ...(JSON.parse(rawBody) as object) });
  }
  const run = throughPipeline(body);
  expect(run.normalized).toHaveLength(expected.events.length);
  expected.events.forEach((expectedEvent, i) => {
    const { absent = [], ...fields } = expectedEvent;
    const actual = run.normalized[i];
    expect(actual).toMatchObject(fields);
    for (const name of absent) expect(actual).not.toHaveProperty(name);
  });
  run.normalized.forEach((event, i) => {
    const ingress = run.ingress[i];
    expect(ingress).toMatchObject({ channel, object: OBJECT_OF[channel] });
    expect(event.eventId).toBe(ingress?.eventId);
    expect(event.conversationKey).toBe(ingress?.conversationKey);
    if (event.kind !== 'quarantine') expect(event.accountId).toBe(ingress?.entryId);
  });
  expect(throughPipeline(body)).toEqual(run);
}
