import { describe, expect, it } from 'vitest';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { MAX_BATCH_BYTES } from '#lambdas/ingress/enqueue-ingress-events';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { receiveWebhook } from '#lambdas/ingress/receive-webhook';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { InMemoryIngressQueue } from '#test/fuzz/fuzz-enqueue';

// Found by the webhook fuzzer: a signed body whose `object` (or an id) is hundreds of kilobytes long
// was parked in the claim-check store, but the queued reference still carried that field, so the
// SQS message exceeded 256 KiB, every retry failed and the webhook answered 5xx for ever.
describe('claim-check references stay small whatever the event carries', () => {
  async function accept(body: string) {
    const queue = new InMemoryIngressQueue();
    const result = await receiveWebhook(
      { method: 'POST', rawBody: Buffer.from(body), headers: { 'x-hub-signature-256': signMetaBody(body, 's') }, query: {} },
      { appSecret: 's', verifyToken: 'v' },
      queue.enqueue,
    );
    return { queue, result };
  }

  it('queues a reference under the SQS limit for a huge unknown `object`', async () => {
    const { queue, result } = await accept(JSON.stringify({ object: '😀'.repeat(70_000), entry: [] }));
    expect(result).toMatchObject({ statusCode: 200, enqueued: 1 });
    const [entry] = queue.entries();
    expect(Buffer.byteLength(entry!.MessageBody!)).toBeLessThan(4096);
    const reference = JSON.parse(entry!.MessageBody!) as IngressEvent;
    const stored = JSON.parse(queue.claims.get(reference.claimCheck!.key)!) as IngressEvent;
    expect(stored.object).toBe('😀'.repeat(70_000));
    expect(normalizeIngressEvent({ ...stored, claimCheck: reference.claimCheck! }).kind).toBe('quarantine');
  });

  it('hashes ids too long to travel in the reference, and keeps short ones readable', async () => {
    const hugeId = 'm'.repeat(300_000);
    const body = JSON.stringify({
      object: 'page',
      entry: [{ id: '1', time: 1, messaging: [{ sender: { id: hugeId }, recipient: { id: '1' }, timestamp: 1, message: { mid: hugeId, text: 'x' } }] }],
    });
    const { queue, result } = await accept(body);
    expect(result.statusCode).toBe(200);
    for (const batch of queue.batches) {
      expect(batch.reduce((n, e) => n + Buffer.byteLength(e.MessageBody!), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
    const reference = JSON.parse(queue.entries()[0]!.MessageBody!) as IngressEvent;
    // The splitter already bounds the ids an event id is built from (shared/bounded-id.ts).
    expect(reference.eventId).toMatch(/^fb:msg:h:[0-9a-f]{64}$/);
    expect(reference.conversationKey).toMatch(/^fb:1:h:[0-9a-f]{64}$/);
    expect(reference.receivedAt).toBe(queue.enqueuedEvents[0]!.receivedAt);
  });
});
