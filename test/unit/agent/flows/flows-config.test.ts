import { describe, expect, it } from 'vitest';
import { businessForAccount, parseFlowsConfig } from '#lambdas/agent/flows/business-flows-schema';
import { isWithinBusinessHours, localClock } from '#lambdas/agent/flows/business-hours';
import { FaqIndex, stem, tokenize } from '#lambdas/agent/flows/faq-search';
import { asksForHuman, isOptOut } from '#lambdas/agent/flows/keyword-match';
import { rawBundledFlows as bundled } from '#lambdas/agent/flows/load-flows-config';
import { CLOSED, demoBusiness, OPEN } from './test-flows';

type Business = Omit<(typeof bundled)['businesses'][number], 'accountIds'> & { accountIds: string[] };
const clone = () => structuredClone(bundled) as Omit<typeof bundled, 'businesses'> & { defaultBusinessId: string; businesses: Business[] };

describe('flows config', () => {
  it('accepts the bundled file and fills the defaults', () => {
    const config = parseFlowsConfig(bundled);
    expect(config.defaultBusinessId).toBe('demo-store');
    expect(config.businesses[0]!.humanQuietMinutes).toBe(30);
  });

  it('names every problem by its path', () => {
    const bad = clone();
    const business = bad.businesses[0]!;
    business.menu[0]!.title.es = 'Un título demasiado largo para un botón';
    business.timezone = 'Mars/Olympus';
    (business.menu[1]!.action as { faqId?: string }).faqId = 'missing';
    bad.defaultBusinessId = 'nobody';
    let message = '';
    try {
      parseFlowsConfig(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('businesses.0.menu.0.title.es');
    expect(message).toContain('businesses.0.timezone');
    expect(message).toContain('businesses.0.menu.1.action.faqId: no FAQ entry missing');
    expect(message).toContain('defaultBusinessId');
  });

  it('refuses an account claimed by two businesses and an opening range that ends before it starts', () => {
    const bad = clone();
    const second = structuredClone(bad.businesses[0]!);
    second.id = 'other-store';
    second.accountIds = ['100'];
    bad.businesses[0]!.accountIds = ['100'];
    bad.businesses.push(second);
    (bad.businesses[0]!.hours as Record<string, unknown>).mon = [{ from: '18:00', to: '09:00' }];
    expect(() => parseFlowsConfig(bad)).toThrow(/account 100 already belongs to demo-store[\s\S]*|hours\.mon/);
    expect(() => parseFlowsConfig(bad)).toThrow(/hours\.mon\.0/);
  });

  it('picks the business that lists the account, else the default one', () => {
    const config = clone();
    const second = structuredClone(config.businesses[0]!);
    second.id = 'shoes';
    second.accountIds = ['PAGE_1'];
    config.businesses.push(second);
    const parsed = parseFlowsConfig(config);
    expect(businessForAccount(parsed, 'PAGE_1').id).toBe('shoes');
    expect(businessForAccount(parsed, 'anything-else').id).toBe('demo-store');
  });
});

describe('business hours', () => {
  const business = demoBusiness();
  it('reads the local weekday and time, daylight saving included', () => {
    expect(localClock(OPEN, 'America/Sao_Paulo')).toEqual({ weekday: 'sat', time: '09:00' });
    expect(localClock(new Date('2026-07-01T12:00:00Z'), 'Europe/Madrid')).toEqual({ weekday: 'wed', time: '14:00' });
    expect(localClock(new Date('2026-01-01T12:00:00Z'), 'Europe/Madrid')).toEqual({ weekday: 'thu', time: '13:00' });
  });

  it('is open from the start of a range until just before its end', () => {
    expect(isWithinBusinessHours(business, OPEN)).toBe(true);
    expect(isWithinBusinessHours(business, new Date('2026-11-21T11:59:00Z'))).toBe(false); // Sat 08:59
    expect(isWithinBusinessHours(business, new Date('2026-11-21T15:59:00Z'))).toBe(true); // Sat 12:59
    expect(isWithinBusinessHours(business, new Date('2026-11-21T16:00:00Z'))).toBe(false); // Sat 13:00
    expect(isWithinBusinessHours(business, CLOSED)).toBe(false); // Sunday
  });
});

describe('keywords', () => {
  const business = demoBusiness();
  it.each(['STOP', 'stop.', 'Baja', 'darme de baja', 'PARAR', 'Sair!', 'descadastrar', 'Unsubscribe'])('"%s" opts out', (t) =>
    expect(isOptOut(t, business.optOut.keywords)).toBe(true),
  );
  it.each(['stop sending me the wrong size', 'no quiero darme de baja', 'vou sair de casa', 'stopped', ''])('"%s" does not', (t) =>
    expect(isOptOut(t, business.optOut.keywords)).toBe(false),
  );
  it.each(['quiero un asesor', 'HUMANO', 'falar com atendente', 'can I talk to an agent?', 'uma pessoa por favor'])(
    '"%s" asks for a person',
    (t) => expect(asksForHuman(t, business.handoff.keywords)).toBe(true),
  );
  it.each(['agentes de viaje no', 'humanity', 'where is my order'])('"%s" does not', (t) => {
    expect(asksForHuman(t, business.handoff.keywords)).toBe(false);
  });
});

describe('FAQ search (BM25)', () => {
  const business = demoBusiness();
  const index = new FaqIndex(business.faq);

  it('folds accents, plurals and common suffixes', () => {
    expect(tokenize('¿Dónde están mis pedidos?')).toEqual(['estan', 'pedid']);
    expect(stem('devoluciones')).toBe(stem('devolución'.normalize('NFD').replace(/\p{M}/gu, '')));
    expect(stem('tracking')).toBe('track');
  });

  it.each([
    ['how long does delivery take', 'shipping_time'],
    ['cuánto tarda la entrega', 'shipping_time'],
    ['quanto tempo demora o frete', 'shipping_time'],
    ['I want a refund', 'returns'],
    ['quiero devolver unas zapatillas', 'returns'],
    ['posso parcelar no cartão?', 'payment_methods'],
    ['aceptan tarjeta de débito', 'payment_methods'],
    ['rastrear minha encomenda', 'order_tracking'],
  ])('ranks "%s" first to %s', (query, faqId) => {
    const [best, second] = index.search(query, 2);
    expect(best?.entry.id).toBe(faqId);
    expect(best!.score).toBeGreaterThanOrEqual(business.faqMinScore);
    if (second) expect(best!.score).toBeGreaterThan(second.score);
  });

  it('finds nothing for words no entry uses, and weighs rare words above common ones', () => {
    expect(index.search('xylophone quantum')).toEqual([]);
    const rare = index.search('pix')[0]!;
    const common = index.search('pedido')[0]!;
    expect(rare.score).toBeGreaterThan(common.score);
  });
});
