import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { domainEventFor, eventEntryBytes, MAX_EVENT_ENTRY_BYTES } from '#lambdas/conversation/domain-events';
import type { NormalizedEvent } from '#lambdas/conversation/model';
import {
  accountPk,
  changeSk,
  conversationPk,
  conversationsByStatePk,
  conversationsByStateSk,
  messageSk,
  messageTimeSk,
  notificationSk,
  providerIdPk,
  quarantineByDaySk,
  quarantinePk,
  statusSk,
} from '#lambdas/conversation/table-keys';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { deduplicationIdFor, messageGroupIdFor } from '#lambdas/ingress/sqs-fifo-ids';
import { MAX_COMPOSITE_KEY_BYTES, MAX_ID_BYTES } from '#lambdas/shared/bounded-id';
import { loadCorpus, runsFor, timeoutFor } from '#test/fuzz/payload-arbitraries';

const ctx = { receivedAt: '2026-11-21T12:00:00.000Z' };
const corpus = loadCorpus();
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Payload fields that carry ids of messages, customers, accounts and entries. */
const ID_FIELDS = new Set([
  'id',
  'mid',
  'from',
  'to',
  'wa_id',
  'recipient_id',
  'phone_number_id',
  'user_id',
  'from_user_id',
  'to_user_id',
  'recipient_user_id',
  'parent_user_id',
  'message_id',
  'original_message_id',
  'message_ids',
  'mids',
  'reply_to',
]);

/** Every id-like string of a body (the ones chosen by `pick`) made `extra` characters longer. */
function inflateIds(value: unknown, pick: (n: number) => boolean, extra: string, counter = { n: 0 }): unknown {
  if (Array.isArray(value)) return value.map((v) => inflateIds(v, pick, extra, counter));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (ID_FIELDS.has(k) && (typeof v === 'string' || typeof v === 'number') && pick(counter.n++)) out[k] = `${v}${extra}`;
    else if (ID_FIELDS.has(k) && Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'string' && pick(counter.n++) ? `${x}${extra}` : x));
    else out[k] = inflateIds(v, pick, extra, counter);
  }
  return out;
}

/** Every key the recorder could build from an event, with the limit DynamoDB puts on it. */
function keysOf(e: NormalizedEvent): Array<[string, number]> {
  const keys: Array<[string, number]> = [
    [conversationPk(e.conversationKey), 2048],
    [quarantinePk(e.eventId), 2048],
    [quarantineByDaySk(ctx.receivedAt, e.eventId), 1024],
    [changeSk(e.eventId), 1024],
    [notificationSk(e.eventId), 1024],
  ];
  if (e.kind !== 'quarantine') {
    keys.push(
      [accountPk(e.accountId), 2048],
      [conversationsByStatePk(e.accountId, 'bot'), 2048],
      [conversationsByStateSk(e.occurredAt, e.conversationKey), 1024],
    );
  }
  const messageIds =
    e.kind === 'quarantine' || e.kind === 'notification' ? [] : [e.providerMessageId, ...(e.kind === 'status' ? (e.providerMessageIds ?? []) : [])];
  for (const id of messageIds.filter((x): x is string => typeof x === 'string')) {
    keys.push([messageSk(id), 1024], [messageTimeSk(e.occurredAt, id), 1024], [providerIdPk(id), 2048], [statusSk(id, 'delivered'), 1024]);
  }
  if (e.kind === 'message' && e.replyToMessageId) keys.push([messageSk(e.replyToMessageId), 1024]);
  if (e.kind === 'message' && e.reaction) keys.push([messageSk(e.reaction.targetMessageId), 1024]);
  return keys;
}

describe('normalized events from bodies with hostile id sizes', () => {
  const runs = runsFor(0.02);
  it(
    'bound every id, key, queue id and domain event, whatever ids are inflated and by how much',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...corpus),
          fc.func(fc.boolean()),
          fc.constantFrom(MAX_ID_BYTES - 20, MAX_ID_BYTES + 1, 1_100, 5_000, 70_000),
          fc.constantFrom('9', 'é', '😀'),
          (doc, choose, length, char) => {
            const body = JSON.stringify(inflateIds(doc.json, (n) => n === 0 || choose(n), char.repeat(length)));
            for (const ingress of splitWebhookBody(body, ctx)) {
              expect(messageGroupIdFor(ingress.conversationKey).length).toBeLessThanOrEqual(128);
              expect(deduplicationIdFor(ingress.eventId).length).toBeLessThanOrEqual(128);
              const event = normalizeIngressEvent(ingress);
              for (const [key, limit] of keysOf(event)) expect(bytes(key)).toBeLessThanOrEqual(limit);
              expect(bytes(event.eventId)).toBeLessThanOrEqual(MAX_COMPOSITE_KEY_BYTES);
              expect(bytes(event.conversationKey)).toBeLessThanOrEqual(MAX_COMPOSITE_KEY_BYTES);
              if (event.kind !== 'quarantine') {
                expect(bytes(event.accountId)).toBeLessThanOrEqual(MAX_ID_BYTES);
                if ('customer' in event && event.customer) expect(bytes(event.customer.id)).toBeLessThanOrEqual(MAX_ID_BYTES);
              }
              const published = domainEventFor(event);
              expect(eventEntryBytes(published)).toBeLessThanOrEqual(MAX_EVENT_ENTRY_BYTES);
              // Events carry bounded ids only: no run of the filler longer than one bounded id holds.
              expect(JSON.stringify(published.detail)).not.toContain(char.repeat(Math.floor(MAX_ID_BYTES / bytes(char)) + 1));
            }
          },
        ),
        { numRuns: runs },
      );
    },
    timeoutFor(runs),
  );
});
