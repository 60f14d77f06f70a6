import { describe, expect, it } from 'vitest';
import type { StatusEvent } from '#lambdas/conversation/model';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { bundledRateCard, parseRateCard, type RateCard } from '#lambdas/pricing/rate-card';
import { priceWhatsAppMessage, recipientCountryOf, type StatusPricing } from '#lambdas/pricing/whatsapp-message-charge';
import { readConformance } from '#test/helpers/conformance';

const CARD: RateCard = parseRateCard({
  snapshot: false,
  effectiveDate: '2026-04-01',
  currency: 'USD',
  sourceUrl: 'https://example.test/rates',
  markets: {
    BR: { name: 'Brazil', rates: { marketing: 0.0625, utility: 0.0068, authentication: 0.0068 } },
    US: { name: 'North America', countries: ['CA'], rates: { marketing: 0.025, utility: 0.004, authentication: 0.0135, service: 0.001 } },
    OTHER: { name: 'Other', rates: { marketing: 0.06, utility: 0.0077 } },
  },
});

/** The status events the real webhook corpus file normalizes to, through split and normalizer. */
function statusesOf(file: string): StatusEvent[] {
  return splitWebhookBody(readConformance('whatsapp', file), { receivedAt: '2026-11-21T12:00:00.000Z' })
    .map(normalizeIngressEvent)
    .filter((e): e is StatusEvent => e.kind === 'status');
}
const pricingOf = (e: StatusEvent): StatusPricing => ({ ...e.pricing, conversationOrigin: e.billingConversation?.originType });

describe('reading both pricing forms from real status webhooks', () => {
  it('per-message pricing (PMP): model, type and category', () => {
    const [status] = statusesOf('wajs-v25-status-sent.json');
    expect(status!.pricing).toEqual({ billable: true, pricingModel: 'PMP', type: 'regular', category: 'marketing' });
    expect(recipientCountryOf(status!.customer.waId)).toBe('US');
    expect(priceWhatsAppMessage(pricingOf(status!), 'US', CARD)).toEqual({
      metaPricingModel: 'PMP',
      metaCategory: 'marketing',
      metaPricingType: 'regular',
      metaBillable: true,
      recipientCountry: 'US',
      rateMarket: 'US',
      metaChargeUsd: 0.025,
      rateCardDate: '2026-04-01',
    });
  });

  it('per-message pricing with only a business-scoped user id: the country comes from its prefix', () => {
    const [status] = statusesOf('restfb-status-delivered-bsuid.json');
    expect(status!.customer.waId).toBeUndefined();
    expect(recipientCountryOf(status!.customer.userId)).toBe('US');
  });

  it('conversation-based pricing (CBP): category, with the conversation origin beside it; not priced per message', () => {
    const [status] = statusesOf('bindambc-status-sent-cbp.json');
    expect(status!.pricing?.pricingModel).toBe('CBP');
    const charge = priceWhatsAppMessage(pricingOf(status!), 'BR', CARD);
    expect(charge).toMatchObject({ metaPricingModel: 'CBP', metaPricingType: 'conversation', metaBillable: true });
    expect(charge.metaChargeUsd).toBeUndefined();
    expect(charge.metaCategory).toBe(status!.pricing?.category?.toLowerCase() ?? status!.billingConversation?.originType);
  });

  it('CBP falls back to conversation.origin.type when pricing has no category', () => {
    expect(priceWhatsAppMessage({ pricingModel: 'CBP', billable: true, conversationOrigin: 'Utility' }, 'BR', CARD).metaCategory).toBe('utility');
  });
});

describe('pricing a message', () => {
  it('free types and billable: false price at 0 and are shown as free', () => {
    for (const type of ['free_customer_service', 'free_entry_point']) {
      expect(priceWhatsAppMessage({ pricingModel: 'PMP', billable: false, type, category: 'service' }, 'BR', CARD)).toMatchObject({
        metaPricingType: type,
        metaBillable: false,
        metaChargeUsd: 0,
      });
      // Even should Meta flag it billable, the free type decides.
      expect(priceWhatsAppMessage({ pricingModel: 'PMP', billable: true, type, category: 'utility' }, 'BR', CARD).metaChargeUsd).toBe(0);
    }
    expect(priceWhatsAppMessage({ pricingModel: 'CBP', billable: false, category: 'service' }, 'BR', CARD)).toMatchObject({
      metaPricingType: 'not_billable',
      metaChargeUsd: 0,
    });
    expect(priceWhatsAppMessage({ pricingModel: 'CBP', billable: true, category: 'referral_conversion' }, 'BR', CARD)).toMatchObject({
      metaPricingType: 'free_entry_point',
      metaChargeUsd: 0,
    });
  });

  it('a regular message costs its market rate; grouped countries and unknown ones find their market', () => {
    expect(priceWhatsAppMessage({ pricingModel: 'PMP', billable: true, type: 'regular', category: 'utility' }, 'BR', CARD).metaChargeUsd).toBe(0.0068);
    expect(priceWhatsAppMessage({ pricingModel: 'PMP', type: 'regular', category: 'authentication' }, 'CA', CARD)).toMatchObject({
      rateMarket: 'US',
      metaChargeUsd: 0.0135,
    });
    expect(priceWhatsAppMessage({ pricingModel: 'PMP', type: 'regular', category: 'marketing' }, 'DE', CARD)).toMatchObject({
      rateMarket: 'OTHER',
      metaChargeUsd: 0.06,
    });
    expect(priceWhatsAppMessage({ pricingModel: 'PMP', type: 'regular', category: 'marketing' }, undefined, CARD)).toMatchObject({ rateMarket: 'OTHER' });
    expect(priceWhatsAppMessage({ pricingModel: 'PMP', type: 'regular', category: 'marketing_lite' }, 'BR', CARD).metaChargeUsd).toBe(0.0625);
  });

  it('a billable category the card has no rate for is left unpriced, never guessed', () => {
    const service = priceWhatsAppMessage({ pricingModel: 'PMP', billable: true, type: 'regular', category: 'service' }, 'BR', CARD);
    expect(service).toMatchObject({ metaCategory: 'service', metaPricingType: 'regular', metaBillable: true });
    expect(service.metaChargeUsd).toBeUndefined();
    expect(priceWhatsAppMessage({ pricingModel: 'PMP', type: 'regular', category: 'service' }, 'US', CARD).metaChargeUsd).toBe(0.001);
  });

  it('hostile values become unknown labels, not stored text', () => {
    const charge = priceWhatsAppMessage({ pricingModel: 'x'.repeat(500), category: '<script>', type: 'a b' }, 'BR', CARD);
    expect(charge).toMatchObject({ metaPricingModel: 'unknown', metaCategory: 'unknown', metaPricingType: 'regular' });
    expect(charge.metaChargeUsd).toBeUndefined();
  });

  it('reads the country of a number from its calling code', () => {
    expect(recipientCountryOf('5511987654321')).toBe('BR');
    expect(recipientCountryOf('5215512345678')).toBe('MX');
    expect(recipientCountryOf('573001234567')).toBe('CO');
    expect(recipientCountryOf('14155550123')).toBe('US');
    expect(recipientCountryOf('not a number')).toBeUndefined();
    expect(recipientCountryOf('BR.123456')).toBe('BR');
    expect(recipientCountryOf(undefined)).toBeUndefined();
  });
});

describe('the rate card', () => {
  it('ships a valid, dated card with the reference markets and a fallback', () => {
    const card = bundledRateCard();
    expect(card.effectiveDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(card.markets)).toEqual(expect.arrayContaining(['BR', 'MX', 'CO', 'US', 'OTHER']));
  });

  it('refuses a card without a fallback, with a country twice, or with an absurd rate', () => {
    const base = { snapshot: false, effectiveDate: '2026-04-01', currency: 'USD', sourceUrl: 'https://example.test/r' };
    expect(() => parseRateCard({ ...base, markets: { BR: { name: 'Brazil', rates: {} } } })).toThrow(/OTHER/);
    expect(() =>
      parseRateCard({ ...base, markets: { BR: { name: 'B', rates: {} }, US: { name: 'U', countries: ['BR'], rates: {} }, OTHER: { name: 'O', rates: {} } } }),
    ).toThrow(/BR is already/);
    expect(() => parseRateCard({ ...base, markets: { OTHER: { name: 'O', rates: { marketing: 5 } } } })).toThrow(/marketing/);
    expect(() => parseRateCard({ ...base, effectiveDate: 'soon', markets: { OTHER: { name: 'O', rates: {} } } })).toThrow(/effectiveDate/);
  });
});

describe('replacing the rate card (npm run rate-card)', () => {
  it('reads a CSV card and says what it changes', async () => {
    const { rateCardFromCsv, rateCardChanges } = await import('#lambdas/pricing/rate-card');
    const csv = [
      'market,name,countries,marketing,utility,authentication,service',
      'BR,Brazil,,0.07,0.0068,0.0068,0.004',
      'US,North America,CA,0.025,0.004,0.0135,0.001',
      'OTHER,Other,,0.06,0.0077,',
    ].join('\n');
    const next = rateCardFromCsv(csv, { effectiveDate: '2026-10-01', sourceUrl: 'https://example.test/rates' });
    expect(next.markets.BR!.rates).toEqual({ marketing: 0.07, utility: 0.0068, authentication: 0.0068, service: 0.004 });
    expect(rateCardChanges(CARD, next)).toEqual(['effective date 2026-04-01 → 2026-10-01', 'BR marketing: 0.0625 → 0.07', 'BR service: none → 0.004']);
    expect(() => rateCardFromCsv('market,name,colour\nBR,Brazil,red', { effectiveDate: '2026-10-01', sourceUrl: 'https://example.test/r' })).toThrow(
      /unknown columns colour/,
    );
  });
});

describe('the cost bench lines', () => {
  it('names the rate that applies to a bot reply inside the window, before and after the 2026 change', async () => {
    const { metaChargeLines } = await import('#test/bench/meta-charge');
    const before = metaChargeLines(CARD, 0.1234, '2026-09-30').join('\n');
    expect(before).toContain('free_customer_service (free) until 2026-10-01');
    expect(before).toMatch(/United States\s+service now \$0\.00 \(free\)\s+from 2026-10-01 \$1\.00/);
    expect(before).toMatch(/Brazil\s+service now \$0\.00 \(free\)\s+from 2026-10-01 no rate in the card/);
    const after = metaChargeLines(CARD, 0.1234, '2026-10-02').join('\n');
    expect(after).toMatch(/United States\s+service now \$1\.00/);
    expect(after).toContain('$0.12340');
  });
});
