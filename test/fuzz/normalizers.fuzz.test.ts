import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { applyMutation, hostileValue, loadCorpus, mutationArb, runsFor, timeoutFor } from '#test/fuzz/payload-arbitraries';

const ctx = { receivedAt: '2026-11-21T12:00:00.000Z' };
const corpusEvents: IngressEvent[] = loadCorpus()
  .flatMap((doc) => splitWebhookBody(doc.raw, ctx))
  .filter((e) => e.kind !== 'quarantine');

const KINDS: string[] = ['message', 'status', 'message_deleted', 'message_edited', 'notification', 'quarantine'];

/** A split corpus event whose Meta payload (and sometimes its envelope) has been damaged. */
const mutatedIngressEvent = fc
  .tuple(
    fc.constantFrom(...corpusEvents),
    fc.array(fc.tuple(fc.nat(), mutationArb()), { minLength: 1, maxLength: 4 }),
    fc.option(
      fc.record({
        channel: fc.constantFrom<IngressEvent['channel']>('whatsapp', 'instagram', 'messenger', 'unknown'),
        kind: fc.constantFrom<IngressEvent['kind']>('whatsapp.change', 'messaging', 'change'),
      }),
      { freq: 4 },
    ),
    fc.option(hostileValue(), { freq: 8 }),
  )
  .map(([event, mutations, envelope, payloadReplacement]) => {
    let payload: unknown = structuredClone(event.payload);
    for (const [slot, mutation] of mutations) payload = applyMutation(payload, slot, mutation);
    return {
      ...event,
      ...(envelope ?? {}),
      payload: payloadReplacement === null ? payload : payloadReplacement,
    } as IngressEvent;
  });

describe('normalizers under mutated ingress events', () => {
  it('the corpus splits into events of every routable kind', () => {
    expect(corpusEvents.length).toBeGreaterThan(150);
    expect(new Set(corpusEvents.map((e) => `${e.channel}:${e.kind}`))).toEqual(
      new Set(['whatsapp:whatsapp.change', 'instagram:messaging', 'instagram:change', 'messenger:messaging']),
    );
  });

  it(
    'normalize or quarantine every damaged event with a reason of their own, never by crashing',
    () => {
      fc.assert(
        fc.property(mutatedIngressEvent, (event) => {
          const normalized = normalizeIngressEvent(event);
          expect(KINDS).toContain(normalized.kind);
          expect(normalized.eventId.length).toBeGreaterThan(0);
          expect(normalized.conversationKey.length).toBeGreaterThan(0);
          expect(() => JSON.stringify(normalized)).not.toThrow();
          if (normalized.kind === 'quarantine') {
            expect(normalized.reason.length).toBeGreaterThan(0);
            // A normalizer that throws is caught and quarantined, but it means a schema hole.
            expect(normalized.reason).not.toMatch(/^normalizer_error/);
          }
        }),
        { numRuns: runsFor(0.44) },
      );
    },
    timeoutFor(runsFor(0.44)),
  );
});
