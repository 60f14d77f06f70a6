import { describe, expect, it } from 'vitest';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';

// Found by the normalizer fuzzer: a WhatsApp change whose `field` is `__proto__` or `constructor`
// looked up an inherited member of a lookup table and called it (TypeError), instead of treating
// the field as one it does not know.
describe('WhatsApp change fields named like Object members', () => {
  const ctx = { receivedAt: '2026-11-21T12:00:00.000Z' };
  const body = (field: string) =>
    `{"object":"whatsapp_business_account","entry":[{"id":"waba-1","time":1604703141,"changes":[{"field":${JSON.stringify(field)},"value":{"decision":"APPROVED"}}]}]}`;

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('splits and normalizes a change with field %s without crashing', (field) => {
    const events = splitWebhookBody(body(field), ctx);
    expect(events.map((e) => e.quarantineReason ?? 'ok')).not.toContainEqual(expect.stringMatching(/^split_failed/));
    for (const event of events) {
      const normalized = normalizeIngressEvent(event);
      expect(normalized.kind === 'quarantine' ? normalized.reason : 'ok').not.toMatch(/^normalizer_error/);
    }
  });

  it('normalizes the fuzzer counterexample', () => {
    const event = {
      v: 1,
      kind: 'whatsapp.change',
      channel: 'whatsapp',
      entryId: 'whatsapp-business-account-id',
      conversationKey: 'wa:whatsapp-business-account-id:_account',
      eventId: 'wa:account_review_update:8183a3b71c9fafe493a71415bc010862',
      receivedAt: ctx.receivedAt,
      payload: JSON.parse('{"field":"__proto__","value":{"decision":["APPROVED","APPROVED"]}}'),
      entryTime: 1604703141,
      object: 'whatsapp_business_account',
    } as IngressEvent;
    const normalized = normalizeIngressEvent(event);
    expect(normalized.kind === 'quarantine' ? normalized.reason : normalized.kind).not.toMatch(/^normalizer_error/);
  });
});
