import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { MAX_BATCH_BYTES } from '#lambdas/ingress/enqueue-ingress-events';
import { MAX_BODY_BYTES, receiveWebhook, type WebhookSecrets } from '#lambdas/ingress/receive-webhook';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { InMemoryIngressQueue } from '#test/fuzz/fuzz-enqueue';
import { anyBody, loadCorpus, runsFor, timeoutFor } from '#test/fuzz/payload-arbitraries';

const SECRETS: WebhookSecrets = { appSecret: 'fuzz-app-secret', verifyToken: 'fuzz-verify-token' };
const NOW = () => new Date('2026-11-21T12:00:00.000Z');
// SQS's own rule for MessageGroupId and MessageDeduplicationId, written out independently of the code under test.
const SQS_FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const NORMALIZED_KINDS: string[] = ['message', 'status', 'message_deleted', 'message_edited', 'notification', 'quarantine'];

const corpus = loadCorpus();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

function post(body: string, signature: string | undefined) {
  return {
    method: 'POST',
    rawBody: Buffer.from(body, 'utf8'),
    headers: signature === undefined ? {} : { 'x-hub-signature-256': signature },
    query: {},
  };
}

/** What SQS would hand the normalizer for one entry: the body, or the claim check's stored event. */
function deliveredEvent(queue: InMemoryIngressQueue, messageBody: string): IngressEvent {
  const event = JSON.parse(messageBody) as IngressEvent;
  if (!event.claimCheck) return event;
  const stored = queue.claims.get(event.claimCheck.key);
  expect(stored, 'claim-check body stored').toBeDefined();
  return { ...(JSON.parse(stored!) as IngressEvent), claimCheck: event.claimCheck };
}

describe('webhook domain under generated and mutated payloads', () => {
  it(
    'acknowledges every signed body, enqueues at least one valid FIFO message, and each is normalized or quarantined',
    async () => {
      await fc.assert(
        fc.asyncProperty(anyBody(corpus), async (body) => {
          const queue = new InMemoryIngressQueue();
          const result = await receiveWebhook(post(body, signMetaBody(body, SECRETS.appSecret)), SECRETS, queue.enqueue, NOW);

          expect(result.statusCode).toBe(200);
          expect(result.outcome).toBe('accepted');
          const entries = queue.entries();
          expect(entries.length).toBeGreaterThanOrEqual(1);
          expect(entries).toHaveLength(queue.enqueuedEvents.length);
          if (result.outcome === 'accepted') expect(result.enqueued).toBe(entries.length);

          for (const batch of queue.batches) {
            expect(batch.length).toBeLessThanOrEqual(10);
            const bytes = batch.reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? ''), 0);
            expect(bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
          }
          // Batches go out concurrently (in order within a conversation only), so the entries are
          // matched to the events by their batch entry id: the event's position in the request.
          expect(queue.calls).toBe(1);
          expect(new Set(entries.map((e) => e.Id)).size).toBe(entries.length);
          entries.forEach((entry) => {
            expect(entry.MessageGroupId).toMatch(SQS_FIFO_ID);
            expect(entry.MessageDeduplicationId).toMatch(SQS_FIFO_ID);
            const text = entry.MessageBody!;
            // The body survives a JSON round trip unchanged (no lone surrogates lost, nothing unserialisable).
            expect(JSON.stringify(JSON.parse(text))).toBe(text);
            const delivered = deliveredEvent(queue, text);
            const sent = queue.enqueuedEvents[Number(entry.Id)]!;
            expect(delivered.eventId).toBe(sent.eventId);
            expect(delivered.payload).toEqual(JSON.parse(JSON.stringify(sent.payload ?? null)));

            const normalized = normalizeIngressEvent(delivered);
            expect(NORMALIZED_KINDS).toContain(normalized.kind);
            expect(normalized.conversationKey.length).toBeGreaterThan(0);
            expect(normalized.eventId.length).toBeGreaterThan(0);
            if (normalized.kind === 'quarantine') expect(normalized.reason.length).toBeGreaterThan(0);
            // The recorder stores it as JSON: it must serialise.
            expect(() => JSON.stringify(normalized)).not.toThrow();
          });
        }),
        { numRuns: runsFor(0.35) },
      );
    },
    timeoutFor(runsFor(0.35)),
  );

  it(
    'refuses every unsigned or wrongly signed body with 401 and enqueues nothing',
    async () => {
      const badSignature = (body: string) =>
        fc.oneof(
          fc.constant(undefined),
          fc.string({ maxLength: 80 }),
          fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }).map((h) => `sha256=${h}`),
          fc
            .string({ minLength: 1, maxLength: 30 })
            .filter((s) => s !== SECRETS.appSecret)
            .map((secret) => signMetaBody(body, secret)),
          fc
            .string({ maxLength: 30 })
            .filter((other) => other !== body)
            .map((other) => signMetaBody(other, SECRETS.appSecret)),
          fc.constant(signMetaBody(body, SECRETS.appSecret).replace('sha256=', 'sha1=')),
        );
      await fc.assert(
        fc.asyncProperty(
          anyBody(corpus).chain((body) => fc.tuple(fc.constant(body), badSignature(body))),
          async ([body, signature]) => {
            fc.pre(signature !== signMetaBody(body, SECRETS.appSecret));
            const queue = new InMemoryIngressQueue();
            const result = await receiveWebhook(post(body, signature), SECRETS, queue.enqueue, NOW);
            expect(result.statusCode).toBe(401);
            expect(queue.calls).toBe(0);
            expect(queue.batches).toEqual([]);
          },
        ),
        { numRuns: runsFor(0.2) },
      );
    },
    timeoutFor(runsFor(0.2)),
  );

  it('refuses bodies beyond the size limit before hashing them, signed or not, and enqueues nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 64 * 1024 }), fc.boolean(), async (extra, signed) => {
        const body = `{"object":"page","entry":[],"pad":"${'x'.repeat(MAX_BODY_BYTES + extra)}"}`;
        const queue = new InMemoryIngressQueue();
        const result = await receiveWebhook(post(body, signed ? signMetaBody(body, SECRETS.appSecret) : undefined), SECRETS, queue.enqueue, NOW);
        expect(result.statusCode).toBe(413);
        expect(queue.calls).toBe(0);
      }),
      { numRuns: Math.min(20, runsFor(0.01)) },
    );
  });
});
