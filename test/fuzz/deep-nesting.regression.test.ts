import { describe, expect, it } from 'vitest';
import { jsonNestingDepth } from '#lambdas/ingress/json-nesting-depth';
import { receiveWebhook } from '#lambdas/ingress/receive-webhook';
import { MAX_JSON_DEPTH, splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { InMemoryIngressQueue } from '#test/fuzz/fuzz-enqueue';
import { loadCorpus } from '#test/fuzz/payload-arbitraries';

// Found by the webhook fuzzer: a signed body nested a few thousand levels deep made the webhook
// throw (stack overflow in hashing and JSON.stringify), so it answered 5xx and Meta would redeliver it forever.
describe('deeply nested webhook bodies', () => {
  const ctx = { receivedAt: '2026-11-21T12:00:00.000Z' };
  const nested = (depth: number) => `{"object":"page","entry":[{"id":"1","time":1,"messaging":${'['.repeat(depth)}${']'.repeat(depth)}}]}`;

  it('measures nesting without counting brackets inside strings', () => {
    expect(jsonNestingDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonNestingDepth('"\\"[[["')).toBe(0);
    expect(jsonNestingDepth('[]')).toBe(1);
  });

  it('acknowledges and quarantines a signed body nested 100,000 levels deep', async () => {
    const body = nested(100_000);
    const queue = new InMemoryIngressQueue();
    const result = await receiveWebhook(
      { method: 'POST', rawBody: Buffer.from(body), headers: { 'x-hub-signature-256': signMetaBody(body, 's') }, query: {} },
      { appSecret: 's', verifyToken: 'v' },
      queue.enqueue,
    );
    expect(result).toMatchObject({ statusCode: 200, enqueued: 1, quarantined: 1, quarantineReasons: ['too_deeply_nested'] });
    expect(queue.entries()).toHaveLength(1);
  });

  it('still splits bodies at the depth limit, and every corpus file is far below it', () => {
    const atLimit = nested(MAX_JSON_DEPTH - 3);
    expect(jsonNestingDepth(atLimit)).toBe(MAX_JSON_DEPTH);
    expect(splitWebhookBody(atLimit, ctx).map((e) => e.quarantineReason)).not.toContain('too_deeply_nested');
    for (const doc of loadCorpus()) expect(jsonNestingDepth(doc.raw), doc.name).toBeLessThan(MAX_JSON_DEPTH / 2);
  });
});
