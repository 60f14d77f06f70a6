import { createHmac, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Contact } from '#lambdas/contacts/contact-model';
import type { Integration, MapperInput } from '#lambdas/integrations/integration-model';
import { withDeliveryParameters } from '#lambdas/integrations/delivery-parameters';
import { webhookMapper } from '#lambdas/integrations/mappers/webhook';
import { bodyBytes, signatureOf, stableBody, verifySignature } from '#lambdas/integrations/signed-body';

const integration: Integration = {
  businessId: 'acme',
  integrationId: 'i0a1b2c3d4e5',
  kind: 'webhook',
  name: 'Backend',
  baseUrl: 'https://hooks.acme.example/omnichannel',
  authType: 'api_key',
  events: ['conversation.closed', 'message.received'],
  rateLimitPerSecond: 10,
  lookup: false,
  enabled: true,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  version: 1,
};

const contact: Contact = {
  businessId: 'acme',
  contactId: 'c_01JABCDEFGHJKMNPQRSTVWXYZ0',
  name: 'Lucía Pérez',
  nameSource: 'profile',
  phoneE164: '+5511987650301',
  language: 'es',
  identities: [{ kind: 'whatsapp', value: '5511987650301', accountId: '100000000000301', linkedAt: '2026-12-01T00:00:00.000Z', linkedBy: 'channel' }],
  consent: {
    whatsapp: { status: 'opted_in', scope: 'marketing', at: '2026-12-01T00:00:00.000Z', source: 'customer_message', evidenceText: 'sí, quiero ofertas' },
  },
  tags: ['vip'],
  attributes: { plan: 'gold', orders: 12 },
  crmIds: { hubspot: '901' },
  firstTouch: {
    channel: 'whatsapp',
    accountId: '100000000000301',
    conversationKey: 'wa:1:2',
    at: '2026-12-01T00:00:00.000Z',
    source: 'ad',
    adId: 'ad-7',
    ctwaClid: 'clid-secret',
    utm: { source: 'fb', campaign: 'navidad' },
  },
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-02T00:00:00.000Z',
  version: 3,
};

const input: MapperInput = {
  integration,
  eventType: 'conversation.closed',
  eventId: 'e_0123456789abcdef0123456789abcdef',
  occurredAt: '2026-12-07T15:51:50.000Z',
  contact,
  conversation: {
    conversationKey: 'wa:100000000000301:5511987650301',
    channel: 'whatsapp',
    accountId: '100000000000301',
    customerId: '5511987650301',
    state: 'closed',
    openedAt: '2026-12-07T15:00:00.000Z',
    closedAt: '2026-12-07T15:51:50.000Z',
    outcome: 'resolved',
    csatScore: 5,
  },
};

/**
 * How a business's receiver checks a delivery (docs/integrations.md § Verifying the signature):
 * HMAC-SHA256 of the raw bytes, compared in constant time with the `signature` query parameter.
 */
function receiverAccepts(rawBody: Buffer, requestUrl: string, secret: string): boolean {
  const given = Buffer.from(new URL(requestUrl, 'https://receiver.example').searchParams.get('signature') ?? '');
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

describe('the webhook mapper', () => {
  it('POSTs one documented body per event to the base URL, with a key stable for the event', () => {
    const [request, ...rest] = webhookMapper.map(input);
    expect(rest).toEqual([]);
    expect(request).toMatchObject({ destination: 'event', method: 'POST', path: '' });
    expect(request!.body).toEqual({
      v: 1,
      id: input.eventId,
      // The same key the query string carries (`idempotency_key`), readable after parsing.
      idempotencyKey: request!.idempotencyKey,
      type: 'conversation.closed',
      occurredAt: '2026-12-07T15:51:50.000Z',
      businessId: 'acme',
      integrationId: 'i0a1b2c3d4e5',
      contact: {
        contactId: contact.contactId,
        name: 'Lucía Pérez',
        phoneE164: '+5511987650301',
        language: 'es',
        tags: ['vip'],
        attributes: { plan: 'gold', orders: 12 },
        crmIds: { hubspot: '901' },
        identities: [{ kind: 'whatsapp', value: '5511987650301', accountId: '100000000000301' }],
        // The decision, never the customer's words that are its evidence.
        consent: { whatsapp: { status: 'opted_in', at: '2026-12-01T00:00:00.000Z' } },
        firstTouch: { channel: 'whatsapp', source: 'ad', at: '2026-12-01T00:00:00.000Z', adId: 'ad-7', utm: { source: 'fb', campaign: 'navidad' } },
        updatedAt: '2026-12-02T00:00:00.000Z',
      },
      conversation: input.conversation,
    });
    expect(JSON.stringify(request!.body)).not.toContain('quiero ofertas');
    expect(JSON.stringify(request!.body)).not.toContain('clid-secret');
    expect(webhookMapper.map(input)[0]!.idempotencyKey).toBe(request!.idempotencyKey);
    expect(request!.idempotencyKey).toMatch(/^webhook:event:[0-9a-f]{40}$/);
    expect(webhookMapper.map({ ...input, eventId: 'e_other' })[0]!.idempotencyKey).not.toBe(request!.idempotencyKey);
    expect(webhookMapper.map({ ...input, integration: { ...integration, integrationId: 'i999999999999' } })[0]!.idempotencyKey).not.toBe(
      request!.idempotencyKey,
    );
  });

  it('leaves out what is not known instead of sending null', () => {
    const body = webhookMapper.map({ integration, eventType: 'contact.updated', eventId: 'e_1', occurredAt: '2026-12-07T00:00:00.000Z' })[0]!.body as Record<
      string,
      unknown
    >;
    expect(Object.keys(body).sort()).toEqual(['businessId', 'id', 'idempotencyKey', 'integrationId', 'occurredAt', 'type', 'v']);
  });
});

describe('the signature', () => {
  it('is Meta’s scheme: sha256=<hex HMAC-SHA256 of the exact bytes>, verifiable with Node crypto', () => {
    const body = stableBody(webhookMapper.map(input)[0]!.body);
    const bytes = bodyBytes(body);
    const secret = 'f'.repeat(64);
    const header = signatureOf(bytes, secret);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    // As the query string carries it: `=` escaped, and read back unescaped by any URL parser.
    const url = withDeliveryParameters('https://hooks.acme.example/omnichannel?token=abc', { signature: header, idempotencyKey: 'webhook:event:abc' });
    expect(url).toBe(`https://hooks.acme.example/omnichannel?token=abc&idempotency_key=webhook%3Aevent%3Aabc&signature=sha256%3D${header.slice(7)}`);
    expect(receiverAccepts(bytes, url, secret)).toBe(true);
    expect(verifySignature(bytes, secret, header)).toBe(true);
    // One byte changed, another secret, or no signature: refused.
    const tampered = Buffer.from(bytes.toString('utf8').replace('resolved', 'unresolved'));
    expect(receiverAccepts(tampered, url, secret)).toBe(false);
    expect(receiverAccepts(bytes, url, 'e'.repeat(64))).toBe(false);
    expect(receiverAccepts(bytes, 'https://hooks.acme.example/omnichannel', secret)).toBe(false);
    expect(verifySignature(bytes, secret, 'sha256=zz')).toBe(false);
    expect(verifySignature(bytes, secret, undefined)).toBe(false);
  });

  it('covers the bytes a minifying JSON writer produces from the event, for any body (serialization-stable)', () => {
    // EventBridge parses the event and writes the body selected by InputPath minified, keys in order:
    // re-serializing the stable body must give the very bytes that were signed.
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.string(), (value, text) => {
        const body = stableBody({ value, text, emoji: `${text}😀\u0000\u001f\uD800` });
        const signed = bodyBytes(body);
        const rewritten = Buffer.from(JSON.stringify(JSON.parse(signed.toString('utf8'))), 'utf8');
        expect(rewritten.equals(signed)).toBe(true);
        // Nothing a serializer escapes differently survives: no C0 control but \t \n \r, no lone surrogate, no non-integer number.
        // eslint-disable-next-line no-control-regex
        expect(JSON.stringify(body)).not.toMatch(/\\u00(0[0-8bcef]|1[0-9a-f])|\\ud[89ab][0-9a-f]{2}(?!\\udc)|\\ud[c-f]/i);
        return true;
      }),
      { numRuns: 300 },
    );
    expect(stableBody({ a: 0.1 + 0.2, b: 1e21, c: -0, d: Number.NaN, e: 42 })).toEqual({ a: '0.30000000000000004', b: '1e+21', c: '0', d: null, e: 42 });
  });
});
